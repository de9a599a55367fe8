import { describe, expect, it } from 'vitest';
import type { ModelPricing } from '../api/models.js';
import type { AssistantEntry } from '../chat/chat-entry.js';
import { EMPTY_REPLY } from '../chat/reply.js';
import { compareSummary } from './compare-summary.js';

const usd = (input: number, output: number): ModelPricing => ({ currency: 'USD', unit: 'per_million_tokens', tiers: [{ max_input_tokens: null, input, output, thinking_output: output }] });

/** A reply sent at 0 whose first output came at `firstMs` and last at `lastMs`, with `completion` tokens. */
function reply(firstMs: number | undefined, lastMs: number, completion: number, pricing: ModelPricing | null = usd(1, 1)): AssistantEntry {
  return {
    id: 0,
    role: 'assistant',
    model: 'm',
    pricing,
    thinking: false,
    reply: { ...EMPTY_REPLY, content: 'x', usage: { prompt_tokens: 10, completion_tokens: completion } },
    timing: firstMs === undefined ? { sentAt: 0 } : { sentAt: 0, firstOutputAt: firstMs, lastOutputAt: lastMs },
    status: 'done',
  };
}

describe('compareSummary', () => {
  it('names the column with the first token soonest, the fastest output and the lowest cost, each on its own', () => {
    // Column 0: first token at 100 ms, 10 tokens/s; column 1: at 50 ms, 20 tokens/s, dearer output.
    const summary = compareSummary([reply(100, 1000, 10, usd(1, 1)), reply(50, 500, 10, usd(1, 100))]);
    expect(summary.firstToken).toEqual({ column: 1, value: 50 });
    expect(summary.speed).toEqual({ column: 1, value: 20 });
    expect(summary.cheapest).toEqual({ column: 0, value: (10 + 10) / 1e6, currency: 'USD' });
    expect(summary.currenciesDiffer).toBe(false);
  });

  it('leaves out columns without a reply or without a measure, and gives the leftmost column a tie', () => {
    const summary = compareSummary([undefined, reply(undefined, 0, 0), reply(80, 880, 5), reply(80, 480, 5)]);
    expect(summary.firstToken).toEqual({ column: 2, value: 80 });
    expect(summary.speed).toEqual({ column: 3, value: 10 });
    expect(summary.cheapest?.column).toBe(1);
  });

  it('has no cheapest column when no reply has a price, or when prices are in different currencies', () => {
    expect(compareSummary([reply(10, 20, 2, null), reply(10, 20, 2, null)])).toEqual({ firstToken: { column: 0, value: 10 }, speed: { column: 0, value: 100 }, currenciesDiffer: false });
    const cny: ModelPricing = { ...usd(0, 0), currency: 'CNY' };
    const mixed = compareSummary([reply(10, 20, 2, usd(1, 1)), reply(10, 20, 2, cny)]);
    expect(mixed.cheapest).toBeUndefined();
    expect(mixed.currenciesDiffer).toBe(true);
  });

  it('is empty with no replies at all', () => {
    expect(compareSummary([undefined, undefined])).toEqual({ currenciesDiffer: false });
  });
});
