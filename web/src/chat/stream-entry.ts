// One reply as a conversation entry: made when the request leaves, then streamed into until done, stopped or failed.
import type { StudioModel } from '../api/models.js';
import { RequestFailed } from '../api/studio-fetch.js';
import type { ChatSettings } from './chat-body.js';
import type { AssistantEntry } from './chat-entry.js';
import { EMPTY_REPLY } from './reply.js';
import { streamReply } from './stream-reply.js';

/** The entry of a reply about to be asked for with `body`, priced at its model's catalog price. */
export function startEntry(id: number, settings: ChatSettings, models: readonly StudioModel[], body: Record<string, unknown>): AssistantEntry {
  return {
    id,
    role: 'assistant',
    model: settings.model,
    pricing: models.find((candidate) => candidate.id === settings.model)?.pricing,
    thinking: body.enable_thinking === true,
    reply: EMPTY_REPLY,
    timing: { sentAt: performance.now() },
    status: 'streaming',
  };
}

/**
 * Streams the reply, passing each change of its entry to `update`; aborting `signal` ends it as stopped.
 * A request that got no answer at all also calls `onUnreachable`, so the page can watch for the server's return.
 */
export async function streamEntry(body: Record<string, unknown>, apiKey: string, signal: AbortSignal, update: (change: Partial<AssistantEntry>) => void, onUnreachable: () => void): Promise<void> {
  try {
    const done = await streamReply(body, apiKey, signal, update);
    update({ ...done, status: 'done' });
  } catch (error) {
    if (signal.aborted) update({ status: 'stopped' });
    else {
      update({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
      if (error instanceof RequestFailed && error.status === undefined) onUnreachable();
    }
  }
}
