import { describe, expect, it } from 'vitest';
import { expiryFromFlags, limitsFromFlags } from './key-limit-flags.js';

describe('the limit flags of studio keys', () => {
  it('read every limit, a budget per month unless a period is named', () => {
    expect(limitsFromFlags({ rpm: '60', tpm: '100000', concurrency: '4', budget: '12.5', models: 'qwen-turbo, qwen-plus' })).toEqual({
      rpm: 60,
      tpm: 100_000,
      concurrency: 4,
      budget: { amount: 12.5, period: 'month' },
      models: ['qwen-turbo', 'qwen-plus'],
    });
  });

  it('change only what is given on update, none removing a limit', () => {
    const current = { rpm: 60, tpm: 1000, budget: { amount: 5, period: 'day' as const }, models: ['a'] };
    expect(limitsFromFlags({ rpm: 'none', models: 'none', budgetPeriod: 'week' }, current)).toEqual({ tpm: 1000, budget: { amount: 5, period: 'week' } });
    expect(limitsFromFlags({ budget: '7' }, current)).toEqual({ ...current, budget: { amount: 7, period: 'day' } });
  });

  it('name the flag of a value that is not a limit', () => {
    expect(() => limitsFromFlags({ rpm: '0' })).toThrow("--rpm takes a whole number of at least 1, or none; got '0'.");
    expect(() => limitsFromFlags({ tpm: '1.5' })).toThrow('--tpm');
    expect(() => limitsFromFlags({ budget: 'ten' })).toThrow('--budget takes an amount above 0');
    expect(() => limitsFromFlags({ budgetPeriod: 'week' })).toThrow('--budget-period needs a --budget');
    expect(() => limitsFromFlags({ models: ' , ' })).toThrow('--models');
  });

  it('read an expiry as a time, a span from now or never, and refuse one in the past', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(expiryFromFlags({}, now)).toBeUndefined();
    expect(expiryFromFlags({ expires: 'never' }, now)).toBeNull();
    expect(expiryFromFlags({ expires: '2026-04-01' }, now)).toEqual(new Date('2026-04-01T00:00:00Z'));
    expect(expiryFromFlags({ expires: '90d' }, now)).toEqual(new Date('2026-05-30T12:00:00Z'));
    expect(expiryFromFlags({ expires: '45m' }, now)).toEqual(new Date('2026-03-01T12:45:00Z'));
    expect(() => expiryFromFlags({ expires: '2026-02-01' }, now)).toThrow('is in the past');
    expect(() => expiryFromFlags({ expires: 'soon' }, now)).toThrow("got 'soon'");
  });
});
