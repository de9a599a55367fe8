// The rate-limiter contract on Redis (REDIS_URL): two limiters, as two replicas, under a random key prefix.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../src/store/redis-rate-limiter.js';
import { describeRateLimiterContract } from './rate-limiter-contract.js';

const url = process.env.REDIS_URL;

if (url === undefined || url === '') {
  describe.skip('the Redis rate limiter (skipped: REDIS_URL is not set; the in-process limiter still runs the contract)', () => {
    it('needs a Redis server', () => undefined);
  });
} else {
  const prefix = `studio-test:${randomUUID()}:`;

  describeRateLimiterContract('Redis', {
    replicas: (options) => [new RedisRateLimiter({ url, prefix, ...options }), new RedisRateLimiter({ url, prefix, ...options })],
  });

  describe('the Redis rate limiter when a replica dies', () => {
    it('ends the concurrency holds it never settled on their own', async () => {
      const dying = new RedisRateLimiter({ url, prefix, holdTtlMs: 300 });
      const survivor = new RedisRateLimiter({ url, prefix, holdTtlMs: 300 });
      await dying.admit('held', { concurrency: 1 }, 0);
      await dying.close();
      await expect(survivor.admit('held', { concurrency: 1 }, 0)).rejects.toMatchObject({ code: 'rate_limited' });
      await sleep(400);
      await survivor.admit('held', { concurrency: 1 }, 0);
      await survivor.close();
    });
  });
}
