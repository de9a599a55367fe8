// Writes SSE frames as they come, straight to Node's response: frames ready together leave as one write, a full socket is waited for, and a client that stops reading is cut.
import type { ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import { TimeoutError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';

/** Frames gathered past this many characters are written at once rather than at the end of the tick. */
const BATCH_CHARS = 16 * 1024;

/**
 * Frames that arrive in one turn of the event loop (an upstream chunk that carried several events, a
 * stream's last frames) are joined into one write at its end. A write that finds the socket's buffer
 * full (`write()` returns false) makes the stream wait for `drain` before it takes the next frame, so a
 * client that does not read holds at most the socket's buffer and a batch; the generation behind it runs
 * on (its events are small) and frees its sequences when done. A wait longer than the write timeout
 * means the client took nothing for that long: the connection is cut, and the frames are stopped with a
 * TimeoutError, which ends the generation with that outcome. One timer per stream, armed only while a
 * write waits.
 */
async function writeFrames(outgoing: ServerResponse, frames: AsyncIterable<string>, timeoutMs: number): Promise<void> {
  const iterator = frames[Symbol.asyncIterator]();
  let batch = '';
  let flushQueued = false;
  let wake: ((drained: boolean) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    flushQueued = false;
    if (outgoing.destroyed) return;
    if (batch !== '') {
      const chunk = batch;
      batch = '';
      outgoing.write(chunk);
    } else if (!outgoing.headersSent) outgoing.flushHeaders();
  };
  const queueFlush = (): void => {
    if (flushQueued) return;
    flushQueued = true;
    process.nextTick(flush);
  };
  const onDrain = (): void => wake?.(true);
  /** Resolves true once the socket has taken what it holds (or the client is gone), false past the write timeout. */
  const drained = (): Promise<boolean> => {
    if (!outgoing.writableNeedDrain || outgoing.destroyed) return Promise.resolve(true);
    if (timer === undefined) timer = setTimeout(() => wake?.(false), timeoutMs);
    else timer.refresh();
    outgoing.once('drain', onDrain).once('close', onDrain);
    return new Promise<boolean>((resolve) => (wake = resolve)).finally(() => {
      wake = undefined;
      outgoing.off('drain', onDrain).off('close', onDrain);
    });
  };
  const cut = async (): Promise<void> => {
    outgoing.destroy();
    await iterator.throw?.(new TimeoutError(`The client read nothing of the stream for ${timeoutMs / 1000} s.`));
  };
  // The head leaves with the frames ready by the end of this tick, or alone then, so the client sees it at once.
  queueFlush();
  try {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      if (!(await drained())) return await cut();
      // The client went away: `return()` below stops the generation as a client abort.
      if (outgoing.destroyed) return;
      batch += next.value;
      if (batch.length >= BATCH_CHARS) flush();
      else queueFlush();
    }
    // The last frames go with the end of the body, in one write.
    if (!(await drained())) return void outgoing.destroy();
    const last = batch;
    batch = '';
    if (!outgoing.destroyed) outgoing.end(last);
  } finally {
    clearTimeout(timer);
    await iterator.return?.();
  }
}

/** Without a Node server (`app.request()`) there is no socket to wait for: the frames become a web body. */
function frameBody(frames: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const iterator = frames[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done === true) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel: async () => void (await iterator.return?.()),
  });
}

/** The status and headers set on `c` so far (the request id, rate limits, `Connection: close` while draining) go out with the stream's head. */
export function sseResponse(c: Context<AppEnv>, frames: AsyncIterable<string>, contentType: string): Response {
  c.header('Content-Type', contentType);
  c.header('Cache-Control', 'no-cache');
  c.header('X-Accel-Buffering', 'no');
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing === undefined) return c.body(frameBody(frames));
  const head = c.newResponse(null);
  outgoing.writeHead(head.status, Object.fromEntries(head.headers));
  // writeFrames rejects only where the frames' own iterator does (streamFrames ends a failed stream with its error frame instead).
  writeFrames(outgoing, frames, c.get('writeTimeoutMs')).catch(() => outgoing.destroy());
  return RESPONSE_ALREADY_SENT;
}
