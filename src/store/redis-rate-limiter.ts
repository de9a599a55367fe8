// Per-key limits counted in Redis, so replicas share them: one Lua script per check, on Redis's own clock.
import { randomUUID } from 'node:crypto';
import { Redis, type Result } from 'ioredis';
import type { Admission, RateLimiter, RateLimits } from '../core/rate-limiter.js';
import { limitState, rateLimitRefusal, RATE_WINDOW_MS, type FullLimit } from './rate-window.js';

/**
 * KEYS: requests (zset id→ms), tokens (zset id→ms), token counts (hash id→tokens, and `total`: their sum), holds (zset id→expiry ms).
 * ARGV: rpm, tpm, concurrency (-1: no limit), reserve, id, window ms, hold ms.
 * Returns {1, requests in window, tokens in window} when admitted, else {0, ms until rpm room, ms until tpm room, concurrency full}.
 * Each entry is added once and removed once, its tokens going into and out of `total`: a check costs O(log n) amortized.
 */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local reserve, id, window, hold = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local since = now - window
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', since)
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', since)
if #gone > 0 then
  local freed = 0
  for _, old in ipairs(gone) do
    freed = freed + tonumber(redis.call('HGET', KEYS[3], old) or '0')
    redis.call('HDEL', KEYS[3], old)
  end
  -- Not for nothing freed: Lua's -0 reaches Redis as '-0', which HINCRBY refuses.
  if freed ~= 0 then redis.call('HINCRBY', KEYS[3], 'total', -freed) end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', since)
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)

local requests = redis.call('ZCARD', KEYS[1])
local rpmWait, tpmWait, concFull = 0, 0, 0
if rpm >= 0 and requests >= rpm then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  rpmWait = oldest[2] and (tonumber(oldest[2]) + window - now) or window
end
local used = tonumber(redis.call('HGET', KEYS[3], 'total') or '0')
if tpm >= 0 and used + reserve > tpm then
  -- Only a refusal walks the log, a page at a time, as far as the entries whose leaving makes room.
  local freed, from, page, found = 0, 0, 100, false
  tpmWait = window
  repeat
    local entries = redis.call('ZRANGE', KEYS[2], from, from + page - 1, 'WITHSCORES')
    for i = 1, #entries, 2 do
      freed = freed + tonumber(redis.call('HGET', KEYS[3], entries[i]) or '0')
      if used - freed + reserve <= tpm then
        tpmWait, found = tonumber(entries[i + 1]) + window - now, true
        break
      end
    end
    from = from + page
  until found or #entries < page * 2
end
if conc >= 0 and redis.call('ZCARD', KEYS[4]) >= conc then concFull = 1 end
if rpmWait > 0 or tpmWait > 0 or concFull == 1 then return {0, rpmWait, tpmWait, concFull} end

if rpm >= 0 then
  redis.call('ZADD', KEYS[1], now, id)
  redis.call('PEXPIRE', KEYS[1], window)
  requests = requests + 1
end
if tpm >= 0 then
  redis.call('ZADD', KEYS[2], now, id)
  redis.call('HSET', KEYS[3], id, reserve)
  redis.call('HINCRBY', KEYS[3], 'total', reserve)
  redis.call('PEXPIRE', KEYS[2], window)
  redis.call('PEXPIRE', KEYS[3], window)
  used = used + reserve
end
if conc >= 0 then
  redis.call('ZADD', KEYS[4], now + hold, id)
  redis.call('PEXPIRE', KEYS[4], hold)
end
return {1, requests, used}
`;

/** KEYS: token counts, holds. ARGV: id, actual tokens. A reservation that has left the window stays gone. */
const SETTLE = `
local reserved = redis.call('HGET', KEYS[1], ARGV[1])
if reserved then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('HINCRBY', KEYS[1], 'total', tonumber(ARGV[2]) - tonumber(reserved))
end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    studioRateAdmit(requests: string, tokens: string, counts: string, holds: string, ...args: (string | number)[]): Result<number[], Context>;
    studioRateSettle(counts: string, holds: string, id: string, actual: number): Result<number, Context>;
  }
}

export interface RedisRateLimiterOptions {
  readonly url: string;
  /** Prefixes every key this limiter writes; replicas that share limits share it. */
  readonly prefix?: string;
  /** A concurrency hold not settled by then (its process died) ends on its own. */
  readonly holdTtlMs?: number;
  /** The sliding window the limits count over; a minute unless a test shortens it. */
  readonly windowMs?: number;
}

const DEFAULT_HOLD_TTL_MS = 15 * 60_000;

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #holdTtlMs: number;
  readonly #windowMs: number;

  constructor(options: RedisRateLimiterOptions) {
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: 2 });
    // While Redis is away ioredis reconnects by itself, and each admission it cannot check fails with the cause.
    this.#redis.on('error', () => undefined);
    this.#redis.defineCommand('studioRateAdmit', { numberOfKeys: 4, lua: ADMIT });
    this.#redis.defineCommand('studioRateSettle', { numberOfKeys: 2, lua: SETTLE });
    this.#prefix = options.prefix ?? 'studio:rate:';
    this.#holdTtlMs = options.holdTtlMs ?? DEFAULT_HOLD_TTL_MS;
    this.#windowMs = options.windowMs ?? RATE_WINDOW_MS;
  }

  async admit(keyId: string, limits: RateLimits, reserveTokens: number): Promise<Admission> {
    // One hash tag per key: its four Redis keys live on one cluster slot, as a script needs.
    const base = `${this.#prefix}{${keyId}}:`;
    // `token-counts-v2`: the hashes of a release without the running total lack it, and are left to expire.
    const keys = { requests: `${base}requests`, tokens: `${base}tokens`, counts: `${base}token-counts-v2`, holds: `${base}holds` };
    const id = randomUUID();
    // Whole tokens, as the running total is kept with HINCRBY.
    const reserve = limits.tpm === undefined ? 0 : Math.min(Math.max(0, Math.round(reserveTokens)), limits.tpm);
    const [admitted = 0, first = 0, second = 0, concurrencyFull = 0] = await this.#redis.studioRateAdmit(
      keys.requests,
      keys.tokens,
      keys.counts,
      keys.holds,
      limits.rpm ?? -1,
      limits.tpm ?? -1,
      limits.concurrency ?? -1,
      reserve,
      id,
      this.#windowMs,
      this.#holdTtlMs,
    );
    if (admitted !== 1) {
      const waits: { reason: FullLimit; ms: number }[] = [];
      if (first > 0) waits.push({ reason: 'requests', ms: first });
      if (second > 0) waits.push({ reason: 'tokens', ms: second });
      if (concurrencyFull === 1) waits.push({ reason: 'concurrency', ms: 1000 });
      throw rateLimitRefusal(waits);
    }
    let settled = false;
    return {
      ...(limits.rpm === undefined ? {} : { requests: limitState(limits.rpm, limits.rpm - first, this.#windowMs) }),
      ...(limits.tpm === undefined ? {} : { tokens: limitState(limits.tpm, limits.tpm - second, this.#windowMs) }),
      settle: async (actualTokens: number) => {
        if (settled) return;
        settled = true;
        await this.#redis.studioRateSettle(keys.counts, keys.holds, id, Math.max(0, Math.round(actualTokens)));
      },
    };
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}
