// Per-key limits counted in this process: a log of the last minute's requests and token reservations, and open holds.
import type { Admission, RateLimiter, RateLimits } from '../core/rate-limiter.js';
import { limitState, rateLimitRefusal, RATE_WINDOW_MS } from './rate-window.js';

interface TokenEntry {
  readonly at: number;
  tokens: number;
  /** Until it leaves the window, its tokens are part of the running total. */
  counted: boolean;
}

/** Oldest first; what leaves the front is dropped in bulk, so pushing and pruning cost O(1) amortized. */
class WindowLog<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  get oldest(): T | undefined {
    return this.#items[this.#head];
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** Drops items from the front while `expired` holds, handing each to `gone`. */
  dropWhile(expired: (item: T) => boolean, gone?: (item: T) => void): void {
    while (this.#head < this.#items.length && expired(this.#items[this.#head]!)) {
      const item = this.#items[this.#head]!;
      this.#head += 1;
      gone?.(item);
    }
    // Copying what is left once the dropped part outgrows it keeps the copies' cost under one per push.
    if (this.#head > 0 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let index = this.#head; index < this.#items.length; index++) yield this.#items[index]!;
  }
}

interface KeyWindow {
  readonly requests: WindowLog<number>;
  readonly tokens: WindowLog<TokenEntry>;
  /** The tokens of the entries in `tokens`, kept as they come, go and settle. */
  used: number;
  holds: number;
}

export interface MemoryRateLimiterOptions {
  readonly now?: () => number;
  readonly windowMs?: number;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly #windows = new Map<string, KeyWindow>();
  readonly #now: () => number;
  readonly #windowMs: number;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#windowMs = options.windowMs ?? RATE_WINDOW_MS;
  }

  async admit(keyId: string, limits: RateLimits, reserveTokens: number): Promise<Admission> {
    const now = this.#now();
    const window = this.#window(keyId, now);
    // A reservation above the whole limit would never pass: it takes the whole minute's allowance instead.
    const reserve = limits.tpm === undefined ? 0 : Math.min(reserveTokens, limits.tpm);
    const used = window.used;

    const waits: { reason: 'requests' | 'tokens' | 'concurrency'; ms: number }[] = [];
    if (limits.rpm !== undefined && window.requests.size >= limits.rpm) {
      waits.push({ reason: 'requests', ms: (window.requests.oldest ?? now) + this.#windowMs - now });
    }
    if (limits.tpm !== undefined && used + reserve > limits.tpm) {
      // Only a refusal walks the log, and only as far as the entries whose leaving makes room.
      let freed = 0;
      let clearing: TokenEntry | undefined;
      for (const entry of window.tokens) {
        freed += entry.tokens;
        if (used - freed + reserve <= limits.tpm) {
          clearing = entry;
          break;
        }
      }
      waits.push({ reason: 'tokens', ms: (clearing?.at ?? now) + this.#windowMs - now });
    }
    if (limits.concurrency !== undefined && window.holds >= limits.concurrency) waits.push({ reason: 'concurrency', ms: 1000 });
    if (waits.length > 0) throw rateLimitRefusal(waits);

    if (limits.rpm !== undefined) window.requests.push(now);
    const entry: TokenEntry | undefined = limits.tpm === undefined ? undefined : { at: now, tokens: reserve, counted: true };
    if (entry !== undefined) {
      window.tokens.push(entry);
      window.used += reserve;
    }
    const holds = limits.concurrency !== undefined;
    if (holds) window.holds += 1;

    let settled = false;
    return {
      ...(limits.rpm === undefined ? {} : { requests: limitState(limits.rpm, limits.rpm - window.requests.size, this.#windowMs) }),
      ...(limits.tpm === undefined ? {} : { tokens: limitState(limits.tpm, limits.tpm - used - reserve, this.#windowMs) }),
      settle: async (actualTokens: number) => {
        if (settled) return;
        settled = true;
        // A reservation that has left the window stays gone.
        if (entry?.counted === true) {
          window.used += actualTokens - entry.tokens;
          entry.tokens = actualTokens;
        }
        if (holds) window.holds -= 1;
      },
    };
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }

  /** The key's log without what has left the minute; one per key that was ever admitted, as keys are few. */
  #window(keyId: string, now: number): KeyWindow {
    const since = now - this.#windowMs;
    const window: KeyWindow = this.#windows.get(keyId) ?? { requests: new WindowLog(), tokens: new WindowLog(), used: 0, holds: 0 };
    this.#windows.set(keyId, window);
    window.requests.dropWhile((at) => at <= since);
    window.tokens.dropWhile(
      (entry) => entry.at <= since,
      (entry) => {
        entry.counted = false;
        window.used -= entry.tokens;
      },
    );
    return window;
  }
}
