// The chat settings kept in this browser between visits; a stored value of the wrong shape falls back to the default.
import { DEFAULT_SETTINGS, type ChatSettings } from './chat-body.js';

const STORAGE_KEY = 'studio.chatSettings';

/** Only known fields of the default's type are taken: an older page's or a hand-edited entry cannot break the form. */
export function parseSettings(stored: string | null): ChatSettings {
  if (stored === null) return DEFAULT_SETTINGS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return DEFAULT_SETTINGS;
  }
  if (typeof parsed !== 'object' || parsed === null) return DEFAULT_SETTINGS;
  const record = parsed as Record<string, unknown>;
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, fallback] of Object.entries(DEFAULT_SETTINGS)) {
    if (typeof record[key] === typeof fallback) settings[key] = record[key];
  }
  if (!['default', 'on', 'off'].includes(settings.thinking as string)) settings.thinking = DEFAULT_SETTINGS.thinking;
  return settings as unknown as ChatSettings;
}

export function loadSettings(): ChatSettings {
  return parseSettings(localStorage.getItem(STORAGE_KEY));
}

export function saveSettings(settings: ChatSettings): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
}
