import { describe, expect, it } from 'vitest';
import { priceUsage } from './pricing.js';

const tiered = {
  currency: 'CNY',
  tiers: [
    { maxInputTokens: 32_000, input: 0.8, output: 2, thinkingOutput: 8 },
    { maxInputTokens: 128_000, input: 2.4, output: 6 },
    { input: 4.8, output: 12, thinkingOutput: 40 },
  ],
};

describe('priceUsage', () => {
  it('prices input and output per million tokens at the tier the prompt length falls in', () => {
    expect(priceUsage(tiered, { inputTokens: 1000, outputTokens: 500 }, false)).toEqual({ currency: 'CNY', input: 0.0008, output: 0.001, total: 0.0018 });
    expect(priceUsage(tiered, { inputTokens: 32_000, outputTokens: 0 }, false).input).toBe(0.0256);
    expect(priceUsage(tiered, { inputTokens: 32_001, outputTokens: 1_000_000 }, false)).toEqual({ currency: 'CNY', input: 0.0768024, output: 6, total: 6.0768024 });
    expect(priceUsage(tiered, { inputTokens: 500_000, outputTokens: 10 }, false).input).toBe(2.4);
  });

  it('prices output at the thinking price when the reply thought, or the plain one when the tier has none', () => {
    expect(priceUsage(tiered, { inputTokens: 10, outputTokens: 1000 }, true).output).toBe(0.008);
    expect(priceUsage(tiered, { inputTokens: 40_000, outputTokens: 1000 }, true).output).toBe(0.006);
  });

  it('counts unknown token counts as none', () => {
    expect(priceUsage(tiered, { inputTokens: undefined, outputTokens: undefined }, false).total).toBe(0);
  });
});
