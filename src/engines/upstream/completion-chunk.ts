// A blocking chat completion (an upstream that ignored `stream: true`) as the one chunk that carries all of it.
import type { WireChunk } from './chunk-events.js';

interface WireCompletion {
  readonly choices?: readonly {
    readonly index?: number;
    readonly message?: {
      readonly content?: string | null;
      readonly reasoning_content?: string | null;
      readonly reasoning?: string | null;
      readonly tool_calls?: readonly { readonly id?: string; readonly function?: { readonly name?: string; readonly arguments?: string } }[] | null;
    };
    readonly logprobs?: NonNullable<WireChunk['choices']>[number]['logprobs'];
    readonly finish_reason?: string | null;
  }[];
  readonly usage?: WireChunk['usage'];
  readonly error?: WireChunk['error'];
}

/** Each choice's message becomes its delta, its tool calls numbered as a stream would number them. */
export function completionChunk(completion: WireCompletion): WireChunk {
  return {
    ...(completion.error === undefined ? {} : { error: completion.error }),
    usage: completion.usage,
    choices: (completion.choices ?? []).map((choice) => ({
      index: choice.index,
      delta: { ...choice.message, tool_calls: choice.message?.tool_calls?.map((call, index) => ({ ...call, index })) },
      logprobs: choice.logprobs,
      finish_reason: choice.finish_reason,
    })),
  };
}
