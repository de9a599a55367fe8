// Hands out a context's sequences first come first served, through a bounded, time-limited queue.
import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import { ClientAbortedError, RateLimitedError } from '../../core/errors.js';

export interface SequenceLease extends Disposable {
  readonly sequences: readonly LlamaContextSequence[];
}

export interface SequencePoolLimits {
  /** Requests that may wait for a sequence; one more is turned away at once. */
  readonly maxWaiting: number;
  /** How long a request may wait before it is turned away. */
  readonly maxWaitMs: number;
}

export interface AcquireOptions {
  readonly signal: AbortSignal;
  /** Sequences to hold at once (a request with several answers). */
  readonly count?: number;
  /** Ranks free sequences; the highest are handed out (e.g. the longest cached prefix). */
  readonly rank?: (sequence: LlamaContextSequence) => number;
}

type Rank = (sequence: LlamaContextSequence) => number;

interface Waiter {
  readonly count: number;
  readonly rank: Rank | undefined;
  readonly grant: (sequences: LlamaContextSequence[]) => void;
}

export class SequencePool {
  readonly #limits: SequencePoolLimits;
  /** Least recently released first, so ties in rank go to the coldest cache. */
  readonly #free: LlamaContextSequence[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #size: number;

  constructor(context: LlamaContext, limits: SequencePoolLimits) {
    this.#limits = limits;
    this.#size = context.totalSequences;
    for (let index = 0; index < this.#size; index++) this.#free.push(context.getSequence());
  }

  get size(): number {
    return this.#size;
  }

  get inUse(): number {
    return this.#size - this.#free.length;
  }

  /** The free sequences, whose caches a request may copy from. */
  get idle(): readonly LlamaContextSequence[] {
    return [...this.#free];
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves once `count` sequences are free and every earlier request has been served. Rejects
   * with RateLimitedError when the queue is full or the wait runs out, and with ClientAbortedError
   * when `signal` fires first. `count` must not exceed `size`.
   */
  async acquire({ signal, count = 1, rank }: AcquireOptions): Promise<SequenceLease> {
    if (signal.aborted) throw new ClientAbortedError();
    const sequences = this.#waiters.length > 0 || this.#free.length < count ? await this.#wait(signal, count, rank) : this.#take(count, rank);
    return this.#lease(sequences);
  }

  #wait(signal: AbortSignal, count: number, rank: Rank | undefined): Promise<LlamaContextSequence[]> {
    const { maxWaiting, maxWaitMs } = this.#limits;
    const retryAfterSeconds = Math.max(1, Math.ceil(maxWaitMs / 1000));
    if (this.#waiters.length >= maxWaiting) {
      return Promise.reject(new RateLimitedError('Requests throttling triggered: too many requests are waiting for this model.', retryAfterSeconds));
    }
    return new Promise((resolve, reject) => {
      const leave = (error: Error): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(error);
        // A large request leaving the head of the queue may let smaller ones behind it through.
        this.#grantWaiting();
      };
      const onAbort = (): void => leave(new ClientAbortedError());
      const timer = setTimeout(
        () => leave(new RateLimitedError(`Requests throttling triggered: no sequence came free within ${maxWaitMs / 1000} s.`, retryAfterSeconds)),
        maxWaitMs,
      );
      const waiter: Waiter = {
        count,
        rank,
        grant: (sequences) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(sequences);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #take(count: number, rank: Rank | undefined): LlamaContextSequence[] {
    if (rank !== undefined) {
      const ranked = this.#free.map((sequence, order) => ({ sequence, order, score: rank(sequence) }));
      ranked.sort((a, b) => b.score - a.score || a.order - b.order);
      const chosen = ranked.slice(0, count).map(({ sequence }) => sequence);
      for (const sequence of chosen) this.#free.splice(this.#free.indexOf(sequence), 1);
      return chosen;
    }
    return this.#free.splice(0, count);
  }

  #lease(sequences: LlamaContextSequence[]): SequenceLease {
    let released = false;
    return {
      sequences,
      [Symbol.dispose]: () => {
        if (released) return;
        released = true;
        this.#free.push(...sequences);
        this.#grantWaiting();
      },
    };
  }

  /** Waiters are served in order, their sequences taken at once so no later request can take them first. */
  #grantWaiting(): void {
    for (let next = this.#waiters[0]; next !== undefined && next.count <= this.#free.length; next = this.#waiters[0]) {
      this.#waiters.shift();
      next.grant(this.#take(next.count, next.rank));
    }
  }
}
