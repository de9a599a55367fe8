// The first middleware: gives each request its id and wire, and writes the access log line with the status sent.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './app-env.js';
import { wireFor } from './mount-wires.js';

export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const startedAt = performance.now();
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('wire', wireFor(c.req.path));
    c.header('X-Request-Id', requestId);
    await next();
    // Hono has answered any error by now. Logged when the response starts; a stream's own end is the 'generation' line.
    logger.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - startedAt) }, 'request');
  };
}
