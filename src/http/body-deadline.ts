// The request body as the routes read it: due within a deadline (a 408 past it), and a client abort when it breaks off.
import type { MiddlewareHandler } from 'hono';
import { ClientAbortedError, ClientTimeoutError } from '../core/errors.js';

const EXPIRED = Symbol('expired');

/** `timeoutMs` counts from the end of the headers, when the request reaches the app. */
export function bodyDeadline(timeoutMs: number): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (body === null) return next();
    let expire: () => void = () => {};
    const expired = new Promise<typeof EXPIRED>((resolve) => (expire = () => resolve(EXPIRED)));
    const timer = setTimeout(expire, timeoutMs);
    const reader = body.getReader();
    const timed = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let result: Awaited<ReturnType<typeof reader.read>> | typeof EXPIRED;
        try {
          result = await Promise.race([reader.read(), expired]);
        } catch {
          // The body comes from the client: a body that breaks off is a client that went away.
          return controller.error(new ClientAbortedError());
        }
        if (result === EXPIRED) return controller.error(new ClientTimeoutError(`The request body did not arrive within ${timeoutMs / 1000} s.`));
        if (!result.done) return controller.enqueue(result.value);
        clearTimeout(timer);
        controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    });
    c.req.raw = new Request(c.req.raw, { body: timed, duplex: 'half' });
    try {
      await next();
    } finally {
      clearTimeout(timer);
    }
  };
}
