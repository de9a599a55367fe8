// The rate-limiter contract for one replica, counting in its own process.
import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/store/memory-rate-limiter.js';
import { describeRateLimiterContract } from './rate-limiter-contract.js';

describeRateLimiterContract('in-process', {
  replicas: (options) => {
    const limiter = new MemoryRateLimiter(options);
    return [limiter, limiter];
  },
});

describe('the in-process rate limiter over a minute', () => {
  it('lets a request in again exactly when the oldest leaves the sliding window', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter({ now: () => now });
    await limiter.admit('k', { rpm: 2 }, 0);
    now += 20_000;
    await limiter.admit('k', { rpm: 2 }, 0);
    now += 10_000;
    await expect(limiter.admit('k', { rpm: 2 }, 0)).rejects.toMatchObject({ retryAfterSeconds: 30 });
    now += 29_999;
    await expect(limiter.admit('k', { rpm: 2 }, 0)).rejects.toMatchObject({ retryAfterSeconds: 1 });
    now += 1;
    await limiter.admit('k', { rpm: 2 }, 0);
  });
});
