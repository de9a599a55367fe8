// The batch-priority requests open on each upstream endpoint, so that a live request the endpoint cannot take stops one of them.
import { PreemptedError } from '../../core/errors.js';
import type { Endpoint } from './endpoint-pool.js';

interface Line {
  readonly controller: AbortController;
  readonly released: Promise<void>;
}

export class BatchLines {
  /** Per endpoint, oldest first: preemption stops the newest, which has done the least work. */
  readonly #lines = new Map<Endpoint, Set<Line>>();

  /** Counts the request `controller` stops as open on `endpoint` until the returned function is called (idempotent). */
  hold(endpoint: Endpoint, controller: AbortController): () => void {
    let lines = this.#lines.get(endpoint);
    if (lines === undefined) this.#lines.set(endpoint, (lines = new Set()));
    let release!: () => void;
    const line: Line = { controller, released: new Promise((resolve) => (release = resolve)) };
    lines.add(line);
    return () => {
      lines.delete(line);
      release();
    };
  }

  /** Batch requests open now, on every endpoint together. */
  get size(): number {
    let count = 0;
    for (const lines of this.#lines.values()) count += lines.size;
    return count;
  }

  /**
   * Aborts the newest batch request on `endpoint` not yet stopped, with a PreemptedError as the reason.
   * Resolves once its connection is closed, which is how the upstream learns to stop it; undefined when there is none.
   */
  preemptNewest(endpoint: Endpoint): Promise<void> | undefined {
    const running = [...(this.#lines.get(endpoint) ?? [])].filter((line) => !line.controller.signal.aborted);
    const newest = running.at(-1);
    if (newest === undefined) return undefined;
    newest.controller.abort(new PreemptedError());
    return newest.released;
  }
}
