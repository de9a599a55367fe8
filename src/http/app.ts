// The HTTP application: request context, health, the wire mounts and error answers in each wire's shape.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { Engine } from '../core/engine.js';
import { OverloadedError, PayloadTooLargeError, RouteNotFoundError } from '../core/errors.js';
import { answerError } from './answer-error.js';
import { apiKeyAuth } from './api-key-auth.js';
import type { AppEnv } from './app-env.js';
import { bodyDeadline } from './body-deadline.js';
import { generationLog } from './generation-log.js';
import { homePage } from './home-page.js';
import { mountWires } from './mount-wires.js';
import { requestContext } from './request-context.js';
import { stoppableEngine } from './stoppable-engine.js';

export interface AppOptions {
  readonly engine: Engine;
  /** Accepted bearer keys; empty turns authentication off. */
  readonly apiKeys: readonly string[];
  readonly maxBodyBytes: number;
  /** How long a client may take to send a request body, from the end of its headers; past it, a 408. */
  readonly requestTimeoutMs: number;
  /** How long a stream waits for its client to take a frame before the connection is cut. */
  readonly writeTimeoutMs: number;
  readonly logger: Logger;
}

export interface StudioApp {
  readonly fetch: (request: Request, env?: AppEnv['Bindings']) => Response | Promise<Response>;
  /** From now on new requests get 503 and each answer closes its connection; requests already running go on. */
  drain(): void;
  /** Ends the generations still running with a 503 `overloaded`, in the stream's own error frame once it has begun. */
  stop(): void;
}

export function createApp(options: AppOptions): StudioApp {
  const { logger } = options;
  const engine = stoppableEngine(options.engine);
  const app = new Hono<AppEnv>();
  const answer = answerError(logger, options.requestTimeoutMs);
  let draining = false;

  app.use(requestContext(logger));
  app.use(async (c, next) => {
    c.set('writeTimeoutMs', options.writeTimeoutMs);
    await next();
  });
  app.use(async (c, next) => {
    if (draining) {
      // A keep-alive client learns from this answer to take its next request elsewhere.
      c.header('Connection', 'close');
      if (c.req.path !== '/health') throw new OverloadedError('Studio is shutting down; retry on another instance.');
    }
    await next();
  });

  app.get('/health', (c) => c.json({ status: draining ? 'draining' : 'ok' }, draining ? 503 : 200));
  app.get('/', homePage);

  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: () => {
      throw new PayloadTooLargeError(options.maxBodyBytes);
    },
  });
  mountWires(app, { engine, observer: generationLog(logger), guards: [apiKeyAuth(options.apiKeys), bodyDeadline(options.requestTimeoutMs), limitBody] });

  // Answered here rather than thrown: a throw from the not-found handler would pass the access log unanswered.
  app.notFound((c) => answer(new RouteNotFoundError('Not found.'), c));
  app.onError(answer);

  return {
    fetch: app.fetch,
    drain: () => {
      draining = true;
    },
    stop: () => engine.stop(),
  };
}
