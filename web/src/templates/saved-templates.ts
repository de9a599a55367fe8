// The user's own prompt templates, kept in this browser's localStorage: Studio has no API for them yet.
import type { PromptTemplate } from './prompt-template.js';

const STORAGE_KEY = 'studio.promptTemplates';

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

export function loadSavedTemplates(): PromptTemplate[] {
  return parseSavedTemplates(localStorage.getItem(STORAGE_KEY));
}

export function storeSavedTemplates(templates: readonly PromptTemplate[]): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(templates));
}
