// Sends one chat request and folds its stream into a reply, timing the first and last output as they arrive.
import { studioFetch } from '../api/studio-fetch.js';
import { chatChunks } from './chat-chunks.js';
import { applyChunk, carriesOutput, EMPTY_REPLY, type Reply } from './reply.js';
import type { ReplyTiming } from './reply-metrics.js';

export interface ReplyProgress {
  readonly reply: Reply;
  readonly timing: ReplyTiming;
}

/** Aborting `signal` cancels the request; the server then stops the generation. */
export async function streamReply(body: Record<string, unknown>, key: string, signal: AbortSignal, onProgress: (progress: ReplyProgress) => void): Promise<ReplyProgress> {
  let timing: ReplyTiming = { sentAt: performance.now() };
  let reply = EMPTY_REPLY;
  const response = await studioFetch('compatible-mode/v1/chat/completions', key, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  if (response.body === null) throw new Error('Studio answered without a body.');
  for await (const chunk of chatChunks(response.body)) {
    if (carriesOutput(chunk)) {
      const now = performance.now();
      timing = { ...timing, firstOutputAt: timing.firstOutputAt ?? now, lastOutputAt: now };
    }
    reply = applyChunk(reply, chunk);
    onProgress({ reply, timing });
  }
  return { reply, timing };
}
