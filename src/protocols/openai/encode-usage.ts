// The OpenAI wire's usage object.
import { totalTokens, type Usage } from '../../core/generation-event.js';

export interface OpenAIUsage {
  readonly prompt_tokens: number | undefined;
  readonly completion_tokens: number | undefined;
  readonly total_tokens: number | undefined;
  readonly prompt_tokens_details: { readonly cached_tokens: number } | null;
}

export function encodeUsage(usage: Usage): OpenAIUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: totalTokens(usage),
    prompt_tokens_details: usage.cachedInputTokens === undefined ? null : { cached_tokens: usage.cachedInputTokens },
  };
}
