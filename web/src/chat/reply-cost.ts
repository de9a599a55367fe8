// What a reply cost at its model's price from `/models`, as Studio's ledger prices it.
import type { ModelPricing } from '../api/models.js';
import type { WireUsage } from './chat-chunks.js';

export interface ReplyCost {
  readonly currency: string;
  readonly total: number;
}

/**
 * The tier is the first whose bound holds the prompt (the last when none does); every prompt token, cached
 * ones included, is priced as input, and output at the thinking price when the reply was made with thinking on.
 */
export function replyCost(pricing: ModelPricing | null | undefined, usage: WireUsage | undefined, thinking: boolean): ReplyCost | undefined {
  if (pricing == null || usage === undefined || usage.prompt_tokens === undefined || usage.completion_tokens === undefined) return undefined;
  const prompt = usage.prompt_tokens;
  const tier = pricing.tiers.find((candidate) => candidate.max_input_tokens === null || prompt <= candidate.max_input_tokens) ?? pricing.tiers.at(-1);
  if (tier === undefined) return undefined;
  const output = thinking ? tier.thinking_output : tier.output;
  return { currency: pricing.currency, total: (prompt * tier.input + usage.completion_tokens * output) / 1e6 };
}

/** Small amounts keep their significant digits: a short reply costs fractions of a cent. */
export function formatCost(cost: ReplyCost): string {
  const digits = cost.total === 0 ? 2 : Math.max(2, Math.min(8, 1 - Math.floor(Math.log10(Math.abs(cost.total)))));
  return `${cost.total.toFixed(digits)} ${cost.currency}`;
}
