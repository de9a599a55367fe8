// The sliding minute both rate limiters count over: the refusal they give, and the state they report.
import { RateLimitedError } from '../core/errors.js';
import type { LimitState } from '../core/rate-limiter.js';

/** The sliding window every per-key limit counts over. */
export const RATE_WINDOW_MS = 60_000;

export type FullLimit = 'requests' | 'tokens' | 'concurrency';

const wording: Record<FullLimit, string> = {
  requests: 'requests per minute',
  tokens: 'tokens per minute',
  concurrency: 'requests at once',
};

/** `waits`: each full limit with the milliseconds until it has room; the request may pass once all have. */
export function rateLimitRefusal(waits: readonly { readonly reason: FullLimit; readonly ms: number }[]): RateLimitedError {
  const ms = Math.max(...waits.map((wait) => wait.ms));
  const limits = waits.map((wait) => wording[wait.reason]).join(' and ');
  return new RateLimitedError(`Requests rate limit exceeded, please try again later: this key has used its ${limits}.`, Math.max(1, Math.ceil(ms / 1000)), 'key');
}

/** Just after an admission the newest entry is now, so the window is full again one window from now. */
export function limitState(limit: number, remaining: number, windowMs = RATE_WINDOW_MS): LimitState {
  return { limit, remaining: Math.max(0, remaining), resetMs: windowMs };
}
