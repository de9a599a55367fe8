// The columns of the Compare page, each a model, its parameters and its own conversation; parameters can be kept alike.
import type { StudioModel } from '../api/models.js';
import type { ChatSettings } from '../chat/chat-body.js';
import type { AssistantEntry, ChatEntry } from '../chat/chat-entry.js';

export interface CompareColumn {
  readonly id: number;
  readonly settings: ChatSettings;
  readonly entries: readonly ChatEntry[];
}

export const MIN_COLUMNS = 2;
export const MAX_COLUMNS = 4;

/** With `sync`, every column takes the changed column's parameters and system prompt, and keeps its own model. */
export function changeSettings(columns: readonly CompareColumn[], id: number, settings: ChatSettings, sync: boolean): CompareColumn[] {
  return columns.map((column) => {
    if (column.id === id) return { ...column, settings };
    return sync ? { ...column, settings: { ...settings, model: column.settings.model } } : column;
  });
}

/** A model no other column has yet, so that columns start out comparing different models; the first one when all are taken. */
function freeModel(columns: readonly CompareColumn[], models: readonly StudioModel[]): string {
  const taken = new Set(columns.map((column) => column.settings.model));
  return (models.find((model) => !taken.has(model.id)) ?? models[0])?.id ?? '';
}

/** A new, empty column with the last column's parameters, on a model no column has yet. */
export function addColumn(columns: readonly CompareColumn[], id: number, models: readonly StudioModel[]): CompareColumn[] {
  const last = columns.at(-1);
  if (last === undefined || columns.length >= MAX_COLUMNS) return [...columns];
  return [...columns, { id, settings: { ...last.settings, model: freeModel(columns, models) }, entries: [] }];
}

/** Columns whose model is not (or no longer) in the list get one: a model no earlier column has, where there is one. */
export function assignModels(columns: readonly CompareColumn[], models: readonly StudioModel[]): CompareColumn[] {
  if (models.length === 0) return [...columns];
  return columns.reduce<CompareColumn[]>((done, column) => {
    const known = models.some((model) => model.id === column.settings.model) && !done.some((other) => other.settings.model === column.settings.model);
    return [...done, known ? column : { ...column, settings: { ...column.settings, model: freeModel(done, models) } }];
  }, []);
}

/** Each column's reply to the latest message, if it has one. */
export function lastReplies(columns: readonly CompareColumn[]): (AssistantEntry | undefined)[] {
  return columns.map((column) => {
    const last = column.entries.at(-1);
    return last?.role === 'assistant' ? last : undefined;
  });
}
