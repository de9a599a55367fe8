// The chunks of a streamed chat completion on the OpenAI wire, read from its SSE body up to `[DONE]`.
import { serverSentEvents } from '../api/server-sent-events.js';

export interface WireUsage {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
  readonly total_tokens?: number;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number } | null;
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number } | null;
}

export interface ToolCallDelta {
  readonly index: number;
  readonly id?: string;
  readonly function?: { readonly name?: string; readonly arguments?: string };
}

export interface ChatChunk {
  readonly choices: readonly {
    readonly index: number;
    readonly delta: { readonly content?: string | null; readonly reasoning_content?: string | null; readonly tool_calls?: readonly ToolCallDelta[] };
    readonly finish_reason?: string | null;
  }[];
  readonly usage?: WireUsage | null;
}

/** An error the server sent inside the stream, after it had begun. */
export class StreamError extends Error {
  override name = 'StreamError';
}

export async function* chatChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<ChatChunk> {
  for await (const data of serverSentEvents(body)) {
    if (data === '[DONE]') return;
    const parsed = JSON.parse(data) as ChatChunk & { error?: { message?: string } };
    if (parsed.error !== undefined) throw new StreamError(`The generation failed: ${parsed.error.message ?? 'no reason given'}`);
    yield parsed;
  }
}
