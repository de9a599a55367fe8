// Hands out a context's sequences, first come first served, several at once for requests with several answers.
import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import { ClientAbortedError } from '../../core/errors.js';

export interface SequenceLease extends Disposable {
  readonly sequences: readonly LlamaContextSequence[];
}

interface Waiter {
  readonly count: number;
  readonly grant: (sequences: LlamaContextSequence[]) => void;
}

export class SequencePool {
  readonly #free: LlamaContextSequence[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #size: number;

  constructor(context: LlamaContext) {
    this.#size = context.totalSequences;
    for (let index = 0; index < this.#size; index++) this.#free.push(context.getSequence());
  }

  get size(): number {
    return this.#size;
  }

  get inUse(): number {
    return this.#size - this.#free.length;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves with `count` sequences once that many are free and every earlier request has been
   * served; rejects with ClientAbortedError if `signal` fires first. `count` must not exceed `size`.
   */
  acquire(signal: AbortSignal, count = 1): Promise<SequenceLease> {
    if (signal.aborted) return Promise.reject(new ClientAbortedError());
    if (this.#waiters.length === 0 && this.#free.length >= count) return Promise.resolve(this.#lease(this.#free.splice(0, count)));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        grant: (sequences) => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.#lease(sequences));
        },
      };
      const onAbort = (): void => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new ClientAbortedError());
        // A large request leaving the head of the queue may let smaller ones behind it through.
        this.#grantWaiting();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
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

  #grantWaiting(): void {
    for (let next = this.#waiters[0]; next !== undefined && next.count <= this.#free.length; next = this.#waiters[0]) {
      this.#waiters.shift();
      next.grant(this.#free.splice(0, next.count));
    }
  }
}
