// Puts a generation on the OpenAI wire: `data:` lines of chunks, then `data: [DONE]`.
import type { RenderableError } from '../../core/errors.js';
import type { StreamEncoder } from '../../core/stream-encoder.js';
import { formatSseFrame } from '../../lib/sse-frame.js';
import type { CompletionIdentity } from './completion-identity.js';
import { createChatChunkEncoder, type ChunkOptions } from './encode-chat-chunks.js';
import { renderOpenAIError } from './render-error.js';

/** openai SDKs read `data:` lines only; an `event:` line would turn chunks into raw events. */
function dataFrame(payload: object | string): string {
  return formatSseFrame({ data: typeof payload === 'string' ? payload : JSON.stringify(payload) }, ': ');
}

export function createChatStreamEncoder(identity: CompletionIdentity, options: ChunkOptions, requestId: string): StreamEncoder {
  const chunks = createChatChunkEncoder(identity, options);
  return {
    event: (event) => chunks(event).map(dataFrame),
    end: () => [dataFrame('[DONE]')],
    // openai-python raises only for a `data:` object with an `error` key; no [DONE] follows it.
    error: (error: RenderableError) => dataFrame(renderOpenAIError(error, requestId).body),
  };
}
