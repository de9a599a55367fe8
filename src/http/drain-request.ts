// Reads and throws away what is left of a request body, within bounds, so a client still sending can read its answer.
import type { Readable } from 'node:stream';

/** Node's request (HTTP/1 or HTTP/2) as a stream of its body. */
export interface IncomingBody extends Readable {
  /** True once the whole body has arrived. */
  readonly complete: boolean;
}

export interface DrainLimits {
  readonly maxBytes: number;
  readonly maxMs: number;
}

/**
 * Resolves when the body has ended, or when it passed either bound: the caller then closes the connection.
 * Closing while the client still sends makes its TCP stack answer with a reset, and many clients then report
 * the reset instead of the answer they were sent.
 */
export function drainRequest(incoming: IncomingBody, { maxBytes, maxMs }: DrainLimits): Promise<void> {
  if (incoming.complete || incoming.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const stop = (): void => {
      clearTimeout(timer);
      incoming.off('data', onData).off('end', stop).off('close', stop).off('error', stop);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) stop();
    };
    const timer = setTimeout(stop, maxMs);
    // A body reader that gave up (the body limit, a deadline) still listens and would pause the stream again.
    incoming.removeAllListeners('data');
    incoming.on('data', onData).on('end', stop).on('close', stop).on('error', stop);
    incoming.resume();
  });
}
