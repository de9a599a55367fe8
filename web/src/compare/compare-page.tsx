// The Compare page: one message sent to 2–4 models at once, their answers streaming side by side, and which was fastest and cheapest.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StudioModel } from '../api/models.js';
import { useModels } from '../api/use-models.js';
import { buildChatBody, InvalidSetting, type ChatSettings } from '../chat/chat-body.js';
import { entryTurns, type AssistantEntry, type ChatEntry } from '../chat/chat-entry.js';
import { Composer } from '../chat/composer.js';
import { loadSettings } from '../chat/saved-settings.js';
import { startEntry, streamEntry } from '../chat/stream-entry.js';
import { ErrorNote } from '../error-note.js';
import { takePendingPrompt } from '../open-prompt.js';
import { addColumn, assignModels, changeSettings, lastReplies, MAX_COLUMNS, MIN_COLUMNS, type CompareColumn } from './compare-columns.js';
import { CompareColumnView } from './compare-column-view.js';
import { compareSummary } from './compare-summary.js';
import { CompareSummaryRow } from './compare-summary-row.js';

interface Props {
  readonly apiKey: string;
  /** Grows when the server comes back: the model list is fetched again. */
  readonly reconnections: number;
  readonly onUnreachable: () => void;
}

let nextId = 0;

/** Two columns with the Chat page's saved parameters (and an opened template's system prompt); models are spread once the list comes. */
function firstColumns(system: string | undefined): CompareColumn[] {
  const saved = loadSettings();
  const settings: ChatSettings = system === undefined ? saved : { ...saved, systemPrompt: system };
  return [0, 1].map((index) => ({ id: nextId++, settings: { ...settings, model: index === 0 ? settings.model : '' }, entries: [] }));
}

interface ColumnRequest {
  readonly column: CompareColumn;
  readonly history: ChatEntry[];
  readonly body: Record<string, unknown>;
}

/** The column's history with the new message, and the request for its reply; a setting that cannot be sent names its column. */
function columnRequest(column: CompareColumn, index: number, text: string, models: readonly StudioModel[]): ColumnRequest {
  const history = [...column.entries, { id: nextId++, role: 'user' as const, content: text }];
  try {
    return { column, history, body: buildChatBody(column.settings, entryTurns(history), models) };
  } catch (error) {
    throw error instanceof InvalidSetting ? new InvalidSetting(`Column ${index + 1}: ${error.message}`) : error;
  }
}

export function ComparePage({ apiKey, reconnections, onUnreachable }: Props) {
  const { models, error: modelsError } = useModels(apiKey, reconnections, onUnreachable);
  const [opened] = useState(takePendingPrompt);
  const [columns, setColumns] = useState(() => firstColumns(opened?.system));
  const [sync, setSync] = useState(true);
  const [draft, setDraft] = useState(opened?.user ?? '');
  const [notice, setNotice] = useState<string>();
  const controller = useRef<AbortController | undefined>(undefined);
  const replies = lastReplies(columns);
  const busy = replies.some((entry) => entry?.status === 'streaming');

  useEffect(() => {
    if (models.length > 0) setColumns((now) => assignModels(now, models));
  }, [models]);
  // Leaving the page stops the replies being written.
  useEffect(() => () => controller.current?.abort(), []);

  const update = (columnId: number, entryId: number, change: Partial<AssistantEntry>) =>
    setColumns((now) =>
      now.map((column) =>
        column.id !== columnId ? column : { ...column, entries: column.entries.map((entry) => (entry.id === entryId && entry.role === 'assistant' ? { ...entry, ...change } : entry)) },
      ),
    );

  /** Every column gets the message after its own history; nothing is sent when any column's parameters cannot be. */
  const send = () => {
    const text = draft.trim();
    if (text === '' || busy) return;
    let requests: ColumnRequest[];
    try {
      requests = columns.map((column, index) => columnRequest(column, index, text, models));
    } catch (error) {
      if (!(error instanceof InvalidSetting)) throw error;
      setNotice(error.message);
      return;
    }
    setNotice(undefined);
    setDraft('');
    const abort = new AbortController();
    controller.current = abort;
    const started = requests.map(({ column, history, body }) => ({ column, body, entry: startEntry(nextId++, column.settings, models, body), history }));
    setColumns(started.map(({ column, history, entry }) => ({ ...column, entries: [...history, entry] })));
    for (const { column, body, entry } of started) void streamEntry(body, apiKey, abort.signal, (change) => update(column.id, entry.id, change), onUnreachable);
  };

  return (
    <div class="compare">
      <div class="compare-bar">
        <label class="check">
          <input type="checkbox" name="sync-parameters" checked={sync} onChange={(event) => setSync(event.currentTarget.checked)} />
          <span>Same parameters in every column (each keeps its model)</span>
        </label>
        <button type="button" onClick={() => setColumns((now) => addColumn(now, nextId++, models))} disabled={busy || columns.length >= MAX_COLUMNS}>
          Add column
        </button>
      </div>
      <ErrorNote message={notice} />
      <Composer
        draft={draft}
        onDraft={setDraft}
        onSend={send}
        onStop={() => controller.current?.abort()}
        onClear={() => setColumns((now) => now.map((column) => ({ ...column, entries: [] })))}
        busy={busy}
      />
      <div class="compare-columns" style={{ '--columns': columns.length }}>
        {columns.map((column, index) => (
          <CompareColumnView
            key={column.id}
            column={column}
            number={index + 1}
            models={models}
            modelsError={modelsError}
            busy={busy}
            onSettings={(settings) => setColumns((now) => changeSettings(now, column.id, settings, sync))}
            onRemove={columns.length > MIN_COLUMNS ? () => setColumns((now) => now.filter((other) => other.id !== column.id)) : undefined}
          />
        ))}
      </div>
      {!busy && replies.some((entry) => entry !== undefined) && <CompareSummaryRow summary={compareSummary(replies)} models={columns.map((column) => column.settings.model)} />}
    </div>
  );
}
