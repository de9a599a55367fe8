// Writes SSE frames as they come, awaiting each write so a slow client slows its own stream only, and cuts one that stops reading.
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { TimeoutError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';

/** Resolves true once `write` settles, or false once `ms` pass first. */
async function settlesWithin(write: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([write.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A write settles once the frame is taken from the stream's queue, and @hono/node-server takes one
 * only after the socket has drained (`write()` returned false: it waits for `drain`). So a client
 * that does not read holds at most the socket's buffer and two frames; the generation behind it runs
 * on (its events are small) and frees its sequences when done. A write that does not settle within
 * the write timeout means the client took nothing for that long: the connection is cut, and the
 * frames are stopped with a TimeoutError, which ends the generation with that outcome.
 */
export function sseResponse(c: Context<AppEnv>, frames: AsyncIterable<string>, contentType: string): Response {
  c.header('Content-Type', contentType);
  c.header('Cache-Control', 'no-cache');
  c.header('X-Accel-Buffering', 'no');
  const writeTimeoutMs = c.get('writeTimeoutMs');
  // Absent when the app is called without a Node server (`app.request()`).
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  return stream(c, async (writer) => {
    const iterator = frames[Symbol.asyncIterator]();
    try {
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
        if (writer.aborted) return;
        if (await settlesWithin(writer.write(next.value), writeTimeoutMs)) continue;
        outgoing?.destroy();
        await iterator.throw?.(new TimeoutError(`The client read nothing of the stream for ${writeTimeoutMs / 1000} s.`));
        return;
      }
    } finally {
      await iterator.return?.();
    }
  });
}
