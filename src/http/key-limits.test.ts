import { describe, expect, it } from 'vitest';
import { periodStart } from './key-limits.js';

describe('periodStart', () => {
  // A Sunday, late in the UTC day.
  const now = new Date('2026-03-01T23:30:00Z');

  it('begins days, Monday weeks and months at UTC midnight', () => {
    expect(periodStart('day', now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(periodStart('week', now).toISOString()).toBe('2026-02-23T00:00:00.000Z');
    expect(periodStart('month', now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(periodStart('week', new Date('2026-03-02T00:00:00Z')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(periodStart('month', new Date('2026-12-31T23:59:59Z')).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });
});
