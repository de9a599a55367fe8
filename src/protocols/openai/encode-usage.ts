// The OpenAI wire's usage object.
import { totalTokens, type Usage } from '../../core/generation-event.js';

export interface OpenAIUsage {
  readonly prompt_tokens: number | undefined;
  readonly completion_tokens: number | undefined;
  readonly total_tokens: number | undefined;
  readonly prompt_tokens_details: { readonly cached_tokens: number } | null;
  /** Only when the engine counted thinking tokens (which `completion_tokens` includes). */
  readonly completion_tokens_details?: { readonly reasoning_tokens: number };
}

export function encodeUsage(usage: Usage): OpenAIUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: totalTokens(usage),
    prompt_tokens_details: usage.cachedInputTokens === undefined ? null : { cached_tokens: usage.cachedInputTokens },
    ...(usage.reasoningTokens === undefined ? {} : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}
