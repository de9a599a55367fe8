import { describe, expect, it } from 'vitest';
import type { UsageReport, UsageRow } from '../usage/usage-report.js';
import type { AdminKey } from './admin-keys.js';
import { periodStart, spendByKey } from './key-spend.js';

function key(id: string, name: string, limits: AdminKey['limits'], state: AdminKey['state'] = 'active'): AdminKey {
  return { id, name, prefix: 'sk-x', state, limits, created_at: 1, expires_at: null, revoked_at: null, last_used_at: null };
}

function row(group: string, cost: number, currency: string | null): UsageRow {
  return { group, requests: 1, prompt_tokens: 1, cached_tokens: 0, completion_tokens: 1, reasoning_tokens: 0, total_tokens: 2, unreported_requests: 0, cost, currency };
}

function report(data: UsageRow[]): UsageReport {
  return { from: '', to: '', group_by: 'key', data, total: { requests: 0, prompt_tokens: 0, cached_tokens: 0, completion_tokens: 0, reasoning_tokens: 0, total_tokens: 0, unreported_requests: 0, cost: {} } };
}

describe('periodStart', () => {
  // A Saturday.
  const now = new Date('2026-12-05T23:30:00Z');
  it('starts a day at its UTC midnight, a week on Monday, a month on the 1st', () => {
    expect(periodStart('day', now)).toBe('2026-12-05');
    expect(periodStart('week', now)).toBe('2026-11-30');
    expect(periodStart('month', now)).toBe('2026-12-01');
    expect(periodStart('week', new Date('2026-11-30T00:00:00Z'))).toBe('2026-11-30');
    expect(periodStart('week', new Date('2026-12-06T12:00:00Z'))).toBe('2026-11-30');
  });
});

describe('spendByKey', () => {
  it("reads each key's spend in its own budget period, this month without a budget", () => {
    const keys = [key('key_a', 'a', { budget: { amount: 5, period: 'week' } }), key('key_b', 'b', {}), key('key_c', 'c', {})];
    const reports = new Map([
      ['week', report([row('a', 1.25, 'USD'), row('b', 9, 'USD')])],
      ['month', report([row('a', 7, 'USD'), row('b', 0, null), row('b', 2.5, 'USD')])],
    ] as const);
    const spends = spendByKey(keys, reports);
    expect(spends.get('key_a')).toEqual({ amount: 1.25, currency: 'USD', period: 'week' });
    expect(spends.get('key_b')).toEqual({ amount: 2.5, currency: 'USD', period: 'month' });
    expect(spends.get('key_c')).toEqual({ amount: 0, currency: null, period: 'month' });
  });

  it('gives a revoked key no spend, as its name may now be a live key’s', () => {
    expect(spendByKey([key('key_old', 'a', {}, 'revoked')], new Map([['month', report([row('a', 1, 'USD')])]])).size).toBe(0);
  });
});
