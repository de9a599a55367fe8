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

/** Runs of consecutive numbers in `ids`. */
function runs(ids: ReadonlySet<number>): number {
  let count = 0;
  for (const id of ids) if (!ids.has(id - 1)) count++;
  return count;
}

export class SequencePool {
  readonly #limits: SequencePoolLimits;
  /** Least recently released first, so that among equals the coldest cache is overwritten. */
  readonly #free: LlamaContextSequence[] = [];
  /** In creation order, which on a fresh context is the order of llama.cpp's sequence ids. */
  readonly #all: LlamaContextSequence[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #size: number;

  constructor(context: LlamaContext, limits: SequencePoolLimits) {
    this.#limits = limits;
    this.#size = context.totalSequences;
    for (let index = 0; index < this.#size; index++) this.#all.push(context.getSequence());
    this.#free.push(...this.#all);
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

  /**
   * The best-ranked free sequences (e.g. the longest cached prefix). Among equals, those that keep the
   * sequences in use on consecutive ids: without a unified KV cache llama.cpp computes a batch in
   * one pass only over a run of consecutive sequence ids, so scattered streams cost a pass each. Then
   * the least recently released.
   */
  #take(count: number, rank: Rank | undefined): LlamaContextSequence[] {
    const id = (sequence: LlamaContextSequence): number => this.#all.indexOf(sequence);
    const inUse = new Set(this.#all.filter((sequence) => !this.#free.includes(sequence)).map(id));
    const chosen: LlamaContextSequence[] = [];
    for (let taken = 0; taken < count; taken++) {
      const runsNow = runs(inUse);
      const scored = this.#free.map((sequence, order) => ({
        sequence,
        order,
        score: rank?.(sequence) ?? 0,
        newRuns: runs(new Set([...inUse, id(sequence)])) - runsNow,
      }));
      scored.sort((a, b) => b.score - a.score || a.newRuns - b.newRuns || a.order - b.order);
      const best = scored[0];
      if (best === undefined) break;
      this.#free.splice(best.order, 1);
      inUse.add(id(best.sequence));
      chosen.push(best.sequence);
    }
    return chosen;
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
