// The neutral stream of events an engine yields for one request (modelled on the AI SDK's stream parts).
import type { ToolCall } from './chat-request.js';
import type { Cost } from './pricing.js';

export type UnifiedFinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/** Normalized finish reason plus the engine's own value, kept for logs. */
export interface FinishReason {
  readonly unified: UnifiedFinishReason;
  readonly raw: string | undefined;
}

/** Token counts; a count the engine does not know is `undefined`, never 0. */
export interface Usage {
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
  /** Prompt tokens served from a cache rather than evaluated; part of `inputTokens`. */
  readonly cachedInputTokens?: number | undefined;
  /** Tokens spent thinking; part of `outputTokens`. */
  readonly reasoningTokens?: number | undefined;
  /** The counts at the model's catalog price, when it has one. */
  readonly cost?: Cost | undefined;
}

export interface TokenAlternative {
  /** The token's text (a piece of a character shows as U+FFFD). */
  readonly token: string;
  /** The UTF-8 bytes of `token`. */
  readonly bytes: readonly number[];
  /** Natural log of the token's probability under the distribution the sampler drew from. */
  readonly logprob: number;
}

export interface TokenLogprob extends TokenAlternative {
  /** The most likely tokens at this position, most likely first. */
  readonly topLogprobs: readonly TokenAlternative[];
}

/**
 * `choice` numbers the answers of a request that asked for several (`n`), from 0. Events of
 * different choices may interleave; each choice has its own `finish`, and one `usage` ends it all.
 */
export type GenerationEvent =
  | {
      readonly type: 'start';
      readonly model: string;
      /** Prompt tokens, when the engine knows them before generating. */
      readonly inputTokens: number | undefined;
    }
  | {
      readonly type: 'text-delta';
      readonly choice: number;
      readonly delta: string;
      /** Tokens generated so far by all choices, including any whose text is still held back; absent where the engine cannot tell (an upstream). */
      readonly outputTokens?: number;
    }
  | {
      readonly type: 'reasoning-delta';
      readonly choice: number;
      readonly delta: string;
      /** Tokens generated so far by all choices, reasoning included; absent where the engine cannot tell. */
      readonly outputTokens?: number;
    }
  | {
      readonly type: 'tool-call';
      readonly choice: number;
      /** Position among this choice's calls, from 0. */
      readonly index: number;
      readonly call: ToolCall;
      readonly outputTokens?: number;
    }
  | {
      /** Log-probabilities of answer tokens, sent before or with the text they belong to. */
      readonly type: 'logprobs';
      readonly choice: number;
      readonly content: readonly TokenLogprob[];
    }
  | { readonly type: 'finish'; readonly choice: number; readonly finishReason: FinishReason }
  | { readonly type: 'usage'; readonly usage: Usage };

export function totalTokens(usage: Usage): number | undefined {
  if (usage.inputTokens === undefined || usage.outputTokens === undefined) return undefined;
  return usage.inputTokens + usage.outputTokens;
}
