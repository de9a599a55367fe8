// Hands out a context's sequences one request at a time, with a first-come wait for a free one.
import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import { ClientAbortedError } from '../../core/errors.js';

export interface SequenceLease extends Disposable {
  readonly sequence: LlamaContextSequence;
}

interface Waiter {
  readonly grant: (sequence: LlamaContextSequence) => void;
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

  /** Resolves with a sequence once one is free; rejects with ClientAbortedError if `signal` fires first. */
  acquire(signal: AbortSignal): Promise<SequenceLease> {
    if (signal.aborted) return Promise.reject(new ClientAbortedError());
    const free = this.#free.shift();
    if (free !== undefined) return Promise.resolve(this.#lease(free));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: (sequence) => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.#lease(sequence));
        },
      };
      const onAbort = (): void => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new ClientAbortedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #lease(sequence: LlamaContextSequence): SequenceLease {
    let released = false;
    return {
      sequence,
      [Symbol.dispose]: () => {
        if (released) return;
        released = true;
        this.#release(sequence);
      },
    };
  }

  #release(sequence: LlamaContextSequence): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#free.push(sequence);
    else next.grant(sequence);
  }
}
