// The user's Studio API key, kept in this browser's localStorage and sent as a Bearer token when set.
const STORAGE_KEY = 'studio.apiKey';

export function loadApiKey(): string {
  return localStorage.getItem(STORAGE_KEY) ?? '';
}

export function saveApiKey(key: string): void {
  if (key === '') localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, key);
}

export function authHeaders(key: string): Record<string, string> {
  return key === '' ? {} : { authorization: `Bearer ${key}` };
}
