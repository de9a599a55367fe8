// OpenAI's x-ratelimit-* headers: a key's request and token limits, what is left of them and when they are whole again.
import type { LimitState } from '../core/rate-limiter.js';

/** A duration as OpenAI writes it (Go's notation): `20ms`, `1s`, `1.5s`, `6m0s`, `1h0m0s`. */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = `${(whole % 60_000) / 1000}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}

/** The headers for whichever of the two limits the key has. */
export function rateLimitHeaders(states: { readonly requests?: LimitState; readonly tokens?: LimitState }): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [unit, state] of [
    ['requests', states.requests],
    ['tokens', states.tokens],
  ] as const) {
    if (state === undefined) continue;
    headers[`x-ratelimit-limit-${unit}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${unit}`] = String(Math.max(0, state.remaining));
    headers[`x-ratelimit-reset-${unit}`] = formatResetDuration(state.resetMs);
  }
  return headers;
}
