// What a generation costs at a model's catalog price.
import type { Usage } from './generation-event.js';
import type { ModelPrice, PriceTier } from './model-catalog.js';

export interface Cost {
  readonly currency: string;
  readonly input: number;
  readonly output: number;
  readonly total: number;
}

/** Sub-millionths of a cent are float noise, not money. */
function rounded(amount: number): number {
  return Math.round(amount * 1e9) / 1e9;
}

function tierFor(price: ModelPrice, inputTokens: number): PriceTier {
  const tier = price.tiers.find((candidate) => candidate.maxInputTokens === undefined || inputTokens <= candidate.maxInputTokens);
  const chosen = tier ?? price.tiers[price.tiers.length - 1];
  if (chosen === undefined) throw new Error('a price has at least one tier');
  return chosen;
}

/**
 * Prices every input token at the tier the prompt's length falls in, and every output token (the
 * reasoning included) at the output price, or at the thinking price when the reply was generated
 * with thinking on, as Model Studio bills thinking mode.
 */
export function priceUsage(price: ModelPrice, usage: Usage, thinking: boolean): Cost {
  const tier = tierFor(price, usage.inputTokens ?? 0);
  const outputRate = thinking ? (tier.thinkingOutput ?? tier.output) : tier.output;
  const input = rounded(((usage.inputTokens ?? 0) * tier.input) / 1e6);
  const output = rounded(((usage.outputTokens ?? 0) * outputRate) / 1e6);
  return { currency: price.currency, input, output, total: rounded(input + output) };
}

/** What a Batch API line is billed: this share of the catalog price, input and output alike, as Model Studio bills batches. */
export const BATCH_PRICE_SHARE = 0.5;

export function batchCost(cost: Cost): Cost {
  return {
    currency: cost.currency,
    input: rounded(cost.input * BATCH_PRICE_SHARE),
    output: rounded(cost.output * BATCH_PRICE_SHARE),
    total: rounded(cost.total * BATCH_PRICE_SHARE),
  };
}
