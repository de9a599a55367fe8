// Counts the responses a Node HTTP server has begun and not finished, so a drain knows when nothing is left to wait for.
import { EventEmitter, once } from 'node:events';
import type { ServerType } from '@hono/node-server';

export interface OpenResponses {
  /** Resolves true once no response is open, or false when `ms` pass first. */
  settled(ms: number): Promise<boolean>;
}

export function openResponses(server: ServerType): OpenResponses {
  let open = 0;
  const events = new EventEmitter();
  server.on('request', (_request: unknown, response: EventEmitter) => {
    open++;
    // 'close' comes once, whether the response ended or its connection was cut.
    response.once('close', () => {
      if (--open === 0) events.emit('settled');
    });
  });
  return {
    settled: async (ms) => {
      if (open === 0) return true;
      return once(events, 'settled', { signal: AbortSignal.timeout(ms) }).then(
        () => true,
        () => false,
      );
    },
  };
}
