// Hono's error handler: answers any thrown error in the wire's shape, or with nothing when the client left.
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { isRenderable, toStudioError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';
import { drainRequest } from './drain-request.js';
import { errorAnswer } from './error-answer.js';
import { logFailure } from './log-failure.js';

/** What is read of a refused body at most before the connection is closed anyway: a few seconds of a fast upload. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** `drainMs` bounds the time a refused body is read for: the rest of a body may take as long as a whole body may. */
export function answerError(logger: Logger, drainMs: number): (thrown: unknown, c: Context<AppEnv>) => Response {
  return (thrown, c) => {
    const error = toStudioError(thrown);
    // A client that went away reads nothing; 499 is what the access log shows.
    if (!isRenderable(error)) return c.body(null, 499 as never);
    const requestId = c.get('requestId');
    logFailure(logger, requestId, error);
    const { status, headers, body } = errorAnswer(error, c.get('wire'), requestId);
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    const incoming = c.env?.incoming;
    if (incoming === undefined || incoming.complete) return c.json(body, status as never);
    // Refused before its body arrived (too large, too slow, not authorized): the connection cannot serve
    // another request, so it closes, but only once the rest of the body has been read, so the client reads this.
    const json = new TextEncoder().encode(JSON.stringify(body));
    const drained = drainRequest(incoming, { maxBytes: MAX_DRAIN_BYTES, maxMs: drainMs });
    const answer = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(json),
      pull: async (controller) => {
        await drained;
        controller.close();
      },
    });
    return c.body(answer, status as never, { 'Content-Type': 'application/json', 'Content-Length': String(json.length), Connection: 'close' });
  };
}
