// Per-key limits counted in this process: a log of the last minute's requests and token reservations, and open holds.
import type { Admission, RateLimiter, RateLimits } from '../core/rate-limiter.js';
import { limitState, rateLimitRefusal, RATE_WINDOW_MS } from './rate-window.js';

interface TokenEntry {
  readonly at: number;
  tokens: number;
}

interface KeyWindow {
  requests: number[];
  tokens: TokenEntry[];
  holds: number;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly #windows = new Map<string, KeyWindow>();
  readonly #now: () => number;

  constructor(options: { readonly now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async admit(keyId: string, limits: RateLimits, reserveTokens: number): Promise<Admission> {
    const now = this.#now();
    const window = this.#window(keyId, now);
    // A reservation above the whole limit would never pass: it takes the whole minute's allowance instead.
    const reserve = limits.tpm === undefined ? 0 : Math.min(reserveTokens, limits.tpm);
    const used = window.tokens.reduce((sum, entry) => sum + entry.tokens, 0);

    const waits: { reason: 'requests' | 'tokens' | 'concurrency'; ms: number }[] = [];
    if (limits.rpm !== undefined && window.requests.length >= limits.rpm) {
      waits.push({ reason: 'requests', ms: (window.requests[0] ?? now) + RATE_WINDOW_MS - now });
    }
    if (limits.tpm !== undefined && used + reserve > limits.tpm) {
      let freed = 0;
      const clearing = window.tokens.find((entry) => used - (freed += entry.tokens) + reserve <= limits.tpm!);
      waits.push({ reason: 'tokens', ms: (clearing?.at ?? now) + RATE_WINDOW_MS - now });
    }
    if (limits.concurrency !== undefined && window.holds >= limits.concurrency) waits.push({ reason: 'concurrency', ms: 1000 });
    if (waits.length > 0) throw rateLimitRefusal(waits);

    if (limits.rpm !== undefined) window.requests.push(now);
    const entry: TokenEntry | undefined = limits.tpm === undefined ? undefined : { at: now, tokens: reserve };
    if (entry !== undefined) window.tokens.push(entry);
    const holds = limits.concurrency !== undefined;
    if (holds) window.holds += 1;

    let settled = false;
    return {
      ...(limits.rpm === undefined ? {} : { requests: limitState(limits.rpm, limits.rpm - window.requests.length) }),
      ...(limits.tpm === undefined ? {} : { tokens: limitState(limits.tpm, limits.tpm - used - reserve) }),
      settle: async (actualTokens: number) => {
        if (settled) return;
        settled = true;
        if (entry !== undefined) entry.tokens = actualTokens;
        if (holds) window.holds -= 1;
      },
    };
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }

  /** The key's log without what has left the minute; one per key that was ever admitted, as keys are few. */
  #window(keyId: string, now: number): KeyWindow {
    const since = now - RATE_WINDOW_MS;
    const window = this.#windows.get(keyId) ?? { requests: [], tokens: [], holds: 0 };
    this.#windows.set(keyId, window);
    while (window.requests.length > 0 && window.requests[0]! <= since) window.requests.shift();
    while (window.tokens.length > 0 && window.tokens[0]!.at <= since) window.tokens.shift();
    return window;
  }
}
