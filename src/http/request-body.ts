// The wire routes' request body: at most a size (a 413), due within a deadline from the end of the headers (a 408), a client abort when it breaks off.
import type { MiddlewareHandler } from 'hono';
import { ClientAbortedError, ClientTimeoutError, PayloadTooLargeError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';
import type { IncomingBody } from './drain-request.js';

export interface BodyLimits {
  readonly maxBytes: number;
  /** Counted from the end of the headers, when the request reaches the app. */
  readonly timeoutMs: number;
}

/** As `TextDecoder` reads a web body: a leading byte-order mark is dropped. */
const utf8 = new TextDecoder();

/** Node's request read to its end, within `maxBytes` and by `dueAt` (a `performance.now()` time). */
function readIncoming(incoming: IncomingBody, { maxBytes, timeoutMs }: BodyLimits, dueAt: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | undefined): void => {
      clearTimeout(timer);
      incoming.off('data', onData).off('end', onEnd).off('error', onBreak).off('close', onBreak);
      // Whatever is left is read by the error answer (drainRequest) or by Node once the response is done.
      incoming.pause();
      if (error === undefined) resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) settle(new PayloadTooLargeError(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(undefined);
    // The body comes from the client: a body that breaks off is a client that went away.
    const onBreak = (): void => settle(new ClientAbortedError());
    const timer = setTimeout(() => settle(new ClientTimeoutError(`The request body did not arrive within ${timeoutMs / 1000} s.`)), Math.max(0, dueAt - performance.now()));
    incoming.on('data', onData).on('end', onEnd).on('error', onBreak).on('close', onBreak);
    incoming.resume();
  });
}

/**
 * On a Node server the body is read straight from Node's request, so that no web-standard `Request`
 * or body stream is built for it; the routes read it with `readJsonBody`. Without one (`app.request()`),
 * `webGuards` (the same limits on the web-standard body) run instead.
 */
export function requestBody(limits: BodyLimits, webGuards: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const incoming = c.env?.incoming;
    if (incoming === undefined) return webGuards(c, next);
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined && Number(declared) > limits.maxBytes) {
      throw new PayloadTooLargeError(limits.maxBytes);
    }
    const dueAt = performance.now() + limits.timeoutMs;
    c.set('readBody', () => readIncoming(incoming, limits, dueAt));
    return next();
  };
}
