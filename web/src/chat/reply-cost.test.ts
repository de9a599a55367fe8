import { describe, expect, it } from 'vitest';
import type { ModelPricing } from '../api/models.js';
import { formatCost, replyCost } from './reply-cost.js';

const pricing: ModelPricing = {
  currency: 'USD',
  unit: 'per_million_tokens',
  tiers: [
    { max_input_tokens: 1000, input: 1, output: 2, thinking_output: 8 },
    { max_input_tokens: null, input: 3, output: 6, thinking_output: 24 },
  ],
};

describe('replyCost', () => {
  it('prices prompt and output at the tier the prompt falls in', () => {
    expect(replyCost(pricing, { prompt_tokens: 1000, completion_tokens: 500 }, false)).toEqual({ currency: 'USD', total: (1000 * 1 + 500 * 2) / 1e6 });
    expect(replyCost(pricing, { prompt_tokens: 1001, completion_tokens: 500 }, false)).toEqual({ currency: 'USD', total: (1001 * 3 + 500 * 6) / 1e6 });
  });

  it('prices output at the thinking price when thinking was on', () => {
    expect(replyCost(pricing, { prompt_tokens: 10, completion_tokens: 100 }, true)?.total).toBeCloseTo((10 + 800) / 1e6, 12);
  });

  it('falls back to the last tier when every tier is bounded and the prompt is longer', () => {
    const bounded: ModelPricing = { ...pricing, tiers: [{ max_input_tokens: 10, input: 1, output: 1, thinking_output: 1 }] };
    expect(replyCost(bounded, { prompt_tokens: 20, completion_tokens: 0 }, false)?.total).toBeCloseTo(20 / 1e6, 12);
  });

  it('has no cost without a price or without token counts', () => {
    expect(replyCost(null, { prompt_tokens: 1, completion_tokens: 1 }, false)).toBeUndefined();
    expect(replyCost(pricing, undefined, false)).toBeUndefined();
    expect(replyCost(pricing, { prompt_tokens: 1 }, false)).toBeUndefined();
  });
});

describe('formatCost', () => {
  it('keeps two significant digits of small amounts', () => {
    expect(formatCost({ currency: 'USD', total: 0.0000123 })).toBe('0.000012 USD');
    expect(formatCost({ currency: 'CNY', total: 1.5 })).toBe('1.50 CNY');
    expect(formatCost({ currency: 'USD', total: 0 })).toBe('0.00 USD');
  });
});
