// The native wire's usage object: running totals in every stream packet, final totals in a body.
import { totalTokens, type Usage } from '../../core/generation-event.js';

export interface DashScopeUsage {
  readonly input_tokens: number | undefined;
  readonly output_tokens: number | undefined;
  readonly total_tokens: number | undefined;
  readonly prompt_tokens_details?: { readonly cached_tokens: number };
  /** Thinking tokens, part of `output_tokens`. */
  readonly output_tokens_details?: { readonly reasoning_tokens: number };
}

export function encodeUsage(usage: Usage): DashScopeUsage {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: totalTokens(usage),
    // Model Studio reports cached tokens only on a cache hit.
    ...(usage.cachedInputTokens === undefined || usage.cachedInputTokens === 0 ? {} : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }),
    ...(usage.reasoningTokens === undefined ? {} : { output_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}
