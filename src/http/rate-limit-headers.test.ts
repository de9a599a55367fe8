import { describe, expect, it } from 'vitest';
import { formatResetDuration, rateLimitHeaders } from './rate-limit-headers.js';

describe('formatResetDuration', () => {
  it('writes durations as OpenAI does', () => {
    expect(formatResetDuration(20)).toBe('20ms');
    expect(formatResetDuration(0)).toBe('0ms');
    expect(formatResetDuration(999.2)).toBe('1s');
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(1500)).toBe('1.5s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(61_250)).toBe('1m1.25s');
    expect(formatResetDuration(3_600_000)).toBe('1h0m0s');
    expect(formatResetDuration(-5)).toBe('0ms');
  });
});

describe('rateLimitHeaders', () => {
  it('gives the trio of each limit the key has', () => {
    expect(rateLimitHeaders({ requests: { limit: 20, remaining: 19, resetMs: 3000 } })).toEqual({
      'x-ratelimit-limit-requests': '20',
      'x-ratelimit-remaining-requests': '19',
      'x-ratelimit-reset-requests': '3s',
    });
    expect(rateLimitHeaders({ tokens: { limit: 1000, remaining: -4, resetMs: 60_000 } })).toEqual({
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '1m0s',
    });
    expect(rateLimitHeaders({})).toEqual({});
  });
});
