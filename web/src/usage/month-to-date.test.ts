import { describe, expect, it } from 'vitest';
import { monthToDate } from './month-to-date.js';

describe('monthToDate', () => {
  it('runs from the first of the UTC month to the UTC day of now', () => {
    expect(monthToDate(new Date('2026-12-05T23:59:00Z'))).toEqual({ from: '2026-12-01', to: '2026-12-05' });
    // Still November in UTC, though December in Tokyo.
    expect(monthToDate(new Date('2026-12-01T08:00:00+09:00'))).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });
});
