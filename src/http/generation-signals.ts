// One abort signal per generation, aborted when its client goes away or when a shutdown past its deadline stops every generation still running.
import type { ServerResponse } from 'node:http';

/** The abort reason of a stop, so a generation can tell it from its client going away. */
const STOPPED = Symbol('stopped');

export interface GenerationSignal {
  readonly signal: AbortSignal;
  /** True when the stop ended the generation while its client was still there to read why. */
  stopped(): boolean;
  /** The generation has ended: a later stop no longer concerns it. */
  release(): void;
}

/**
 * Each layer under the HTTP request (the engine's admission, an upstream attempt) listens to this one
 * signal; in Node 20 every AbortController costs a `makeTransferable`, so the request makes one.
 */
export class GenerationSignals {
  readonly #running = new Set<AbortController>();
  #stopping = false;

  /** `outgoing`: Node's response, closed before it finished when the client went away; without one (`app.request()`), the web request's signal. */
  open(outgoing: ServerResponse | undefined, request: () => Request): GenerationSignal {
    const controller = new AbortController();
    let clientGone = false;
    const onClientGone = (): void => {
      clientGone = true;
      controller.abort();
    };
    if (outgoing !== undefined) {
      outgoing.once('close', () => {
        if (!outgoing.writableFinished) onClientGone();
      });
    } else {
      const { signal } = request();
      if (signal.aborted) onClientGone();
      else signal.addEventListener('abort', onClientGone, { once: true });
    }
    if (this.#stopping) controller.abort(STOPPED);
    this.#running.add(controller);
    return {
      signal: controller.signal,
      stopped: () => controller.signal.reason === STOPPED && !clientGone,
      release: () => void this.#running.delete(controller),
    };
  }

  /** Ends every generation still running, and any that begins later, as a stop. */
  stop(): void {
    this.#stopping = true;
    for (const controller of this.#running) controller.abort(STOPPED);
  }
}
