// The one contract both rate limiters pass: sliding-minute rpm and tpm, settled tokens, concurrency holds, exact across replicas.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/core/errors.js';
import type { Admission, RateLimiter, RateLimits } from '../../src/core/rate-limiter.js';

export interface RateLimiterBackend {
  /** Two limiters that count together, as two replicas would; `windowMs` shortens their minute. */
  replicas(options?: { readonly windowMs?: number }): [RateLimiter, RateLimiter];
}

async function refusal(limiter: RateLimiter, keyId: string, limits: RateLimits, reserve = 0): Promise<RateLimitedError> {
  const error: unknown = await limiter.admit(keyId, limits, reserve).then(
    () => undefined,
    (refused: unknown) => refused,
  );
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

export function describeRateLimiterContract(name: string, backend: RateLimiterBackend): void {
  describe(`the ${name} rate limiter`, () => {
    const [one, two] = backend.replicas();
    const newKey = () => `key_${randomUUID().slice(0, 8)}`;

    afterAll(async () => {
      await Promise.all([one.close(), two.close()]);
    });

    it('gives a 20 rpm key exactly 20 admissions across two replicas, refusing the rest as a key limit', async () => {
      const keyId = newKey();
      const tries = Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? one : two).admit(keyId, { rpm: 20 }, 0));
      const outcomes = await Promise.allSettled(tries);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(20);
      const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as RateLimitedError] : []));
      expect(refused).toHaveLength(20);
      for (const error of refused) {
        expect(error).toMatchObject({ code: 'rate_limited', scope: 'key' });
        expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(error.retryAfterSeconds).toBeLessThanOrEqual(60);
      }
    });

    it('reports the limit, what remains and when the window is full again', async () => {
      const keyId = newKey();
      const first = await one.admit(keyId, { rpm: 5, tpm: 1000 }, 300);
      expect(first.requests).toEqual({ limit: 5, remaining: 4, resetMs: 60_000 });
      expect(first.tokens).toEqual({ limit: 1000, remaining: 700, resetMs: 60_000 });
      const second = await two.admit(keyId, { rpm: 5, tpm: 1000 }, 100);
      expect(second.requests?.remaining).toBe(3);
      expect(second.tokens?.remaining).toBe(600);
      const unlimited = await one.admit(keyId, {}, 10_000);
      expect(unlimited.requests).toBeUndefined();
      expect(unlimited.tokens).toBeUndefined();
    });

    it('counts nothing for a refused request', async () => {
      const keyId = newKey();
      await one.admit(keyId, { tpm: 100 }, 60);
      await refusal(two, keyId, { tpm: 100 }, 50);
      await refusal(one, keyId, { tpm: 100 }, 50);
      expect((await two.admit(keyId, { tpm: 100 }, 40)).tokens?.remaining).toBe(0);

      const other = newKey();
      await one.admit(other, { rpm: 1, tpm: 100 }, 10);
      await refusal(two, other, { rpm: 1, tpm: 100 }, 10);
      const both = newKey();
      await one.admit(both, { rpm: 2 }, 0);
      for (let attempt = 0; attempt < 3; attempt++) await refusal(two, both, { rpm: 1 }, 0);
      expect((await two.admit(both, { rpm: 2 }, 0)).requests?.remaining).toBe(0);
    });

    it('tells a refused request to retry when the oldest request leaves the minute', async () => {
      const keyId = newKey();
      await one.admit(keyId, { rpm: 2 }, 0);
      await sleep(1500);
      await two.admit(keyId, { rpm: 2 }, 0);
      const error = await refusal(one, keyId, { rpm: 2 }, 0);
      // The newest request would say 60; the oldest, admitted 1.5 s earlier, says at most 59.
      expect(error.retryAfterSeconds).toBeLessThanOrEqual(59);
      expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(50);
      expect(error.message).toContain('requests per minute');
    });

    it('settles a reservation to the tokens really used, once', async () => {
      const keyId = newKey();
      const limits = { tpm: 100 };
      const big = await one.admit(keyId, limits, 80);
      await refusal(two, keyId, limits, 30);
      await big.settle(10);
      await big.settle(90);
      const next = await two.admit(keyId, limits, 85);
      expect(next.tokens?.remaining).toBe(5);
      const error = await refusal(one, keyId, limits, 10);
      expect(error.message).toContain('tokens per minute');
    });

    it('holds a concurrency slot from admission until settle, across replicas', async () => {
      const keyId = newKey();
      const limits = { concurrency: 2 };
      const first: Admission = await one.admit(keyId, limits, 0);
      await two.admit(keyId, limits, 0);
      const error = await refusal(one, keyId, limits, 0);
      expect(error.retryAfterSeconds).toBe(1);
      expect(error.message).toContain('requests at once');
      await first.settle(0);
      const third = await two.admit(keyId, limits, 0);
      await first.settle(0);
      await refusal(one, keyId, limits, 0);
      await third.settle(0);
      await one.admit(keyId, limits, 0);
    });

    it('keeps its running token total equal to a recount through admissions and settles across window boundaries', async () => {
      const windowMs = 1000;
      const [first, second] = backend.replicas({ windowMs });
      const keyId = newKey();
      const limits = { rpm: 1_000_000, tpm: 1_000_000 };
      const remaining = async () => (await first.admit(keyId, limits, 0)).tokens?.remaining;
      let unsettled: Admission[] = [];
      try {
        for (let round = 0; round < 3; round++) {
          // Zero-token admissions keep the key alive while every earlier entry leaves the window, a few at a time.
          for (let step = 0; step < 6; step++) {
            await sleep(windowMs / 5);
            await second.admit(keyId, limits, 0);
          }
          // Settling reservations that have left the window must not move the total.
          for (const admission of unsettled) await admission.settle(12_345);
          expect(await remaining()).toBe(limits.tpm);

          unsettled = [];
          let recount = 0;
          for (let index = 0; index < 40; index++) {
            const reserve = 100 + index * 3 + round;
            const admission = await (index % 2 === 0 ? first : second).admit(keyId, limits, reserve);
            if (index % 5 === 0) {
              unsettled.push(admission);
              recount += reserve;
              continue;
            }
            const actual = index % 3 === 0 ? 0 : index * 7 + round;
            await admission.settle(actual);
            await admission.settle(actual + 1000);
            recount += actual;
          }
          expect(await remaining()).toBe(limits.tpm - recount);
        }
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

    it('reserves at most the whole minute for a request asking for more than the tpm', async () => {
      const keyId = newKey();
      const huge = await one.admit(keyId, { tpm: 50 }, 10_000);
      expect(huge.tokens?.remaining).toBe(0);
      await refusal(two, keyId, { tpm: 50 }, 1);
      await huge.settle(20);
      await two.admit(keyId, { tpm: 50 }, 30);
    });
  });
}
