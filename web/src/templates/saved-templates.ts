// The user's own prompt templates, kept in Studio's store per API key through /v1/playground/templates.
import { studioFetch } from '../api/studio-fetch.js';
import type { PromptTemplate } from './prompt-template.js';

const PATH = 'v1/playground/templates';
/** Where an earlier page kept them in this browser; read once, moved into the store, then removed. */
const STORAGE_KEY = 'studio.promptTemplates';

interface StoredTemplate {
  readonly id: string;
  readonly name: string;
  readonly system: string | null;
  readonly user: string;
}

function fromStored(stored: StoredTemplate): PromptTemplate {
  return { id: stored.id, title: stored.name, description: '', system: stored.system ?? '', user: stored.user, examples: {} };
}

export async function loadSavedTemplates(key: string, signal?: AbortSignal): Promise<PromptTemplate[]> {
  const response = await studioFetch(PATH, key, { signal });
  return ((await response.json()) as { data: StoredTemplate[] }).data.map(fromStored);
}

/** A template of the same title is replaced, keeping its id. */
export async function saveTemplate(key: string, template: Pick<PromptTemplate, 'title' | 'system' | 'user'>): Promise<PromptTemplate> {
  const body = { name: template.title, user: template.user, ...(template.system === '' ? {} : { system: template.system }) };
  const response = await studioFetch(PATH, key, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return fromStored((await response.json()) as StoredTemplate);
}

export async function deleteSavedTemplate(key: string, id: string): Promise<void> {
  await studioFetch(`${PATH}/${encodeURIComponent(id)}`, key, { method: 'DELETE' });
}

function isTemplate(value: unknown): value is PromptTemplate {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const examples = record.examples;
  return (
    ['id', 'title', 'description', 'system', 'user'].every((key) => typeof record[key] === 'string') &&
    typeof examples === 'object' &&
    examples !== null &&
    Object.values(examples).every((example) => typeof example === 'string')
  );
}

/** Entries of the wrong shape (an older page's, a hand edit) are dropped rather than breaking the page. */
export function parseSavedTemplates(stored: string | null): PromptTemplate[] {
  if (stored === null) return [];
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter(isTemplate) : [];
  } catch {
    return [];
  }
}

/**
 * Moves templates an earlier page kept in this browser into the store, except where the store has one
 * of that title already; the browser's copy goes once all are saved. Answers whether any were moved.
 */
export async function importBrowserTemplates(key: string, existing: readonly PromptTemplate[]): Promise<boolean> {
  const kept = parseSavedTemplates(localStorage.getItem(STORAGE_KEY));
  const titles = new Set(existing.map(({ title }) => title));
  const moving = kept.filter(({ title }) => !titles.has(title));
  for (const template of moving) await saveTemplate(key, template);
  localStorage.removeItem(STORAGE_KEY);
  return moving.length > 0;
}
