// A prompt handed to the page about to open (a template opened in Chat or Compare): the page takes it once, on mount.
import { navigate } from './use-route.js';

export interface PendingPrompt {
  readonly system?: string;
  readonly user: string;
}

let pending: PendingPrompt | undefined;

/** `path` is the page's route: `/` for Chat, `/compare` for Compare. */
export function openPrompt(prompt: PendingPrompt, path: string): void {
  pending = prompt;
  navigate(path);
}

/** The prompt waiting for the page that mounts now, if any; a second call gets nothing. */
export function takePendingPrompt(): PendingPrompt | undefined {
  const prompt = pending;
  pending = undefined;
  return prompt;
}
