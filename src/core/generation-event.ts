// The neutral stream of events an engine yields for one request (modelled on the AI SDK's stream parts).
import type { ToolCall } from './chat-request.js';

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
}

export type GenerationEvent =
  | {
      readonly type: 'start';
      readonly model: string;
      /** Prompt tokens, when the engine knows them before generating. */
      readonly inputTokens: number | undefined;
    }
  | {
      readonly type: 'text-delta';
      readonly delta: string;
      /** Tokens generated so far, including any whose text is still held back. */
      readonly outputTokens: number;
    }
  | {
      readonly type: 'reasoning-delta';
      readonly delta: string;
      /** Tokens generated so far, reasoning included. */
      readonly outputTokens: number;
    }
  | {
      readonly type: 'tool-call';
      /** Position among this answer's calls, from 0. */
      readonly index: number;
      readonly call: ToolCall;
      readonly outputTokens: number;
    }
  | { readonly type: 'finish'; readonly finishReason: FinishReason }
  | { readonly type: 'usage'; readonly usage: Usage };

export function totalTokens(usage: Usage): number | undefined {
  if (usage.inputTokens === undefined || usage.outputTokens === undefined) return undefined;
  return usage.inputTokens + usage.outputTokens;
}
