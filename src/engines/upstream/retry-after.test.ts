import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './retry-after.js';

describe('retryAfterMs', () => {
  it('reads delay seconds, whole or not', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(' 0.5 ')).toBe(500);
    expect(retryAfterMs(['2', '9'])).toBe(2000);
  });

  it('reads an HTTP date as the time left until it, never negative', () => {
    const now = Date.parse('Sat, 05 Dec 2026 23:00:00 GMT');
    expect(retryAfterMs('Sat, 05 Dec 2026 23:00:04 GMT', now)).toBe(4000);
    expect(retryAfterMs('Sat, 05 Dec 2026 22:00:00 GMT', now)).toBe(0);
  });

  it('gives undefined for an absent or unreadable header', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('')).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('-1')).toBeUndefined();
  });
});
