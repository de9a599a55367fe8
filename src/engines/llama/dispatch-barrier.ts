// Holds a batch back until every running stream has asked for its next step, so all of them share it.

/** Longest a batch waits for stragglers: a stream busy elsewhere must not stall the others. */
const MAX_WAIT_MS = 4;

/**
 * node-llama-cpp dispatches a batch one event-loop turn after the first stream queues. Sampling
 * finishes on libuv's worker threads at slightly different times, so without a barrier the
 * streams drift out of phase and batches carry some of them, not all: N streams cost several
 * computations per step instead of one. Streams report when they await an evaluation and when
 * it returns; the batch goes when every active stream is waiting, or after a short deadline.
 */
export class DispatchBarrier {
  #active = 0;
  #waiting = 0;

  /** For node-llama-cpp's `batching.dispatchSchedule`. */
  readonly schedule = (dispatch: () => void): void => {
    const began = performance.now();
    const check = (): void => {
      if (this.#waiting >= this.#active || performance.now() - began >= MAX_WAIT_MS) dispatch();
      else setImmediate(check);
    };
    setImmediate(check);
  };

  /** Counts a stream as active until the returned handle is disposed. */
  activate(): Disposable {
    this.#active++;
    let active = true;
    return {
      [Symbol.dispose]: () => {
        if (active) this.#active--;
        active = false;
      },
    };
  }

  /** Awaits one evaluation of an active stream, counted as waiting meanwhile. */
  async evaluation<T>(step: Promise<T>): Promise<T> {
    this.#waiting++;
    try {
      return await step;
    } finally {
      this.#waiting--;
    }
  }
}
