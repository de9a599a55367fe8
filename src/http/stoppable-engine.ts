// An engine whose running generations can all be ended at once, as a shutdown past its deadline does.
import { setMaxListeners } from 'node:events';
import type { Engine } from '../core/engine.js';
import { ShutdownError } from './shutdown-error.js';

export interface StoppableEngine extends Engine {
  /** Ends every generation still running (and every one waiting for capacity) with a ShutdownError. */
  stop(): void;
}

export function stoppableEngine(engine: Engine): StoppableEngine {
  const stopping = new AbortController();
  // One listener per running generation: more than Node's default warning threshold of 10 is normal.
  setMaxListeners(0, stopping.signal);
  return {
    specificationVersion: engine.specificationVersion,
    listModels: () => engine.listModels(),
    dispose: () => engine.dispose(),
    stop: () => stopping.abort(),
    async *generate(request, options) {
      // One signal for the engine, aborted by the client going away or by the stop, whichever comes first.
      const either = new AbortController();
      const abort = (): void => either.abort();
      for (const signal of [options.signal, stopping.signal]) {
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      }
      try {
        yield* engine.generate(request, { ...options, signal: either.signal });
      } catch (error) {
        // The engine only saw an aborted signal; its client is still there to read why.
        if (stopping.signal.aborted && !options.signal.aborted) throw new ShutdownError();
        throw error;
      } finally {
        options.signal.removeEventListener('abort', abort);
        stopping.signal.removeEventListener('abort', abort);
      }
    },
  };
}
