// Hono's error handler: answers any thrown error in the wire's shape, or with nothing when the client left.
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { isRenderable, toStudioError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';
import { errorAnswer } from './error-answer.js';
import { logFailure } from './log-failure.js';

export function answerError(logger: Logger): (thrown: unknown, c: Context<AppEnv>) => Response {
  return (thrown, c) => {
    const error = toStudioError(thrown);
    // A client that went away reads nothing; 499 is what the access log shows.
    if (!isRenderable(error)) return c.body(null, 499 as never);
    const requestId = c.get('requestId');
    logFailure(logger, requestId, error);
    const { status, headers, body } = errorAnswer(error, c.get('wire'), requestId);
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    return c.json(body, status as never);
  };
}
