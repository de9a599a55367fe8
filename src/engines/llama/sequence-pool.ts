// Hands out a context's sequences first come first served, live requests before batch work, through a bounded, time-limited queue.
import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import type { GenerationPriority } from '../../core/engine.js';
import { ClientAbortedError, PreemptedError, RateLimitedError } from '../../core/errors.js';

export interface SequenceLease extends Disposable {
  readonly sequences: readonly LlamaContextSequence[];
  /**
   * Fires (with a PreemptedError as its reason) when a live request needs the sequences of this batch
   * lease: its holder stops its work and releases the lease. A live lease's never fires.
   */
  readonly preempted: AbortSignal;
  /**
   * Says the holder's prompt is in and it now works a token at a time: preempted, it lets go within one
   * decode step, where a prompt still being evaluated takes a whole chunk. Preemption picks such leases first.
   */
  decoding(): void;
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
  /**
   * `batch`: served only when no live request waits, without the queue's limits (batch work waits for
   * spare capacity however long that takes, until its signal fires), and preempted for live requests.
   */
  readonly priority?: GenerationPriority;
}

type Rank = (sequence: LlamaContextSequence) => number;

interface Waiter {
  readonly count: number;
  readonly rank: Rank | undefined;
  readonly priority: GenerationPriority;
  readonly grant: (lease: SequenceLease) => void;
}

/** A batch lease's sequences, and the switch that asks its holder to give them back. */
interface BatchHold {
  readonly sequences: readonly LlamaContextSequence[];
  readonly preemption: AbortController;
  decoding: boolean;
}

const NEVER_PREEMPTED = new AbortController().signal;

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
  /** Live waiters are all served before any batch waiter. */
  readonly #waiters: Record<GenerationPriority, Waiter[]> = { live: [], batch: [] };
  /** Oldest first; preemption takes the newest, which has done the least work. */
  readonly #batchHolds = new Set<BatchHold>();
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

  /** Live requests waiting for sequences. */
  get waiting(): number {
    return this.#waiters.live.length;
  }

  get batchWaiting(): number {
    return this.#waiters.batch.length;
  }

  /** Sequences held by batch leases. */
  get batchInUse(): number {
    let count = 0;
    for (const hold of this.#batchHolds) count += hold.sequences.length;
    return count;
  }

  /**
   * Resolves once `count` sequences are free and every earlier request of the same priority (and for
   * batch work, every live one) has been served; a live request that would wait preempts batch leases
   * to make room. Rejects a live request with RateLimitedError when the queue is full or the wait runs
   * out, and any with ClientAbortedError when `signal` fires first. `count` must not exceed `size`.
   */
  async acquire({ signal, count = 1, rank, priority = 'live' }: AcquireOptions): Promise<SequenceLease> {
    if (signal.aborted) throw new ClientAbortedError();
    const ahead = priority === 'live' ? this.#waiters.live.length : this.#waiters.live.length + this.#waiters.batch.length;
    if (ahead === 0 && this.#free.length >= count) return this.#lease(this.#take(count, rank), priority);
    return this.#wait(signal, count, rank, priority);
  }

  #wait(signal: AbortSignal, count: number, rank: Rank | undefined, priority: GenerationPriority): Promise<SequenceLease> {
    const queue = this.#waiters[priority];
    const { maxWaiting, maxWaitMs } = this.#limits;
    const live = priority === 'live';
    const retryAfterSeconds = Math.max(1, Math.ceil(maxWaitMs / 1000));
    // Past the limit a live request still waits when preempting batch work makes room for it.
    const room = this.#free.length + this.batchInUse;
    const wanted = queue.reduce((sum, waiter) => sum + waiter.count, count);
    if (live && queue.length >= maxWaiting && wanted > room) {
      return Promise.reject(new RateLimitedError('Requests throttling triggered: too many requests are waiting for this model.', retryAfterSeconds));
    }
    return new Promise((resolve, reject) => {
      const leave = (error: Error): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        queue.splice(queue.indexOf(waiter), 1);
        reject(error);
        // A large request leaving the head of the queue may let smaller ones behind it through.
        this.#grantWaiting();
      };
      const onAbort = (): void => leave(new ClientAbortedError());
      const timer = live
        ? setTimeout(() => leave(new RateLimitedError(`Requests throttling triggered: no sequence came free within ${maxWaitMs / 1000} s.`, retryAfterSeconds)), maxWaitMs)
        : undefined;
      const waiter: Waiter = {
        count,
        rank,
        priority,
        grant: (lease) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      if (live) this.#preemptForLive();
    });
  }

  /**
   * Asks batch leases to give their sequences back, those decoding before those still evaluating a
   * prompt and the newest first, until the live waiters would all fit in what is free or on its way back. A preempted holder stops within one step of its work, so a live
   * request waits for batch work no longer than that.
   */
  #preemptForLive(): void {
    const wanted = this.#waiters.live.reduce((sum, waiter) => sum + waiter.count, 0);
    let coming = this.#free.length;
    const holding: BatchHold[] = [];
    for (const hold of this.#batchHolds) {
      if (hold.preemption.signal.aborted) coming += hold.sequences.length;
      else holding.push(hold);
    }
    // Popped from the end: the newest of those decoding first, then the newest still evaluating a prompt.
    holding.sort((a, b) => Number(a.decoding) - Number(b.decoding));
    for (let hold = holding.pop(); hold !== undefined && coming < wanted; hold = holding.pop()) {
      hold.preemption.abort(new PreemptedError());
      coming += hold.sequences.length;
    }
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

  #lease(sequences: LlamaContextSequence[], priority: GenerationPriority): SequenceLease {
    const hold: BatchHold | undefined = priority === 'batch' ? { sequences, preemption: new AbortController(), decoding: false } : undefined;
    if (hold !== undefined) this.#batchHolds.add(hold);
    let released = false;
    return {
      sequences,
      preempted: hold?.preemption.signal ?? NEVER_PREEMPTED,
      decoding: () => {
        if (hold !== undefined) hold.decoding = true;
      },
      [Symbol.dispose]: () => {
        if (released) return;
        released = true;
        if (hold !== undefined) this.#batchHolds.delete(hold);
        this.#free.push(...sequences);
        this.#grantWaiting();
      },
    };
  }

  /**
   * Waiters are served in order, live ones first, their sequences taken at once so no later request
   * can take them first. Batch work waits while any live request does, even one too large for what is free.
   */
  #grantWaiting(): void {
    for (;;) {
      const queue = this.#waiters.live.length > 0 ? this.#waiters.live : this.#waiters.batch;
      const next = queue[0];
      if (next === undefined || next.count > this.#free.length) return;
      queue.shift();
      next.grant(this.#lease(this.#take(next.count, next.rank), next.priority));
    }
  }
}
