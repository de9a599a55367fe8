// The HTTP application: request ids, auth, body limits, the wire routes and error answers in each wire's shape.
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { Engine } from '../core/engine.js';
import {
  isRenderable,
  MethodNotAllowedError,
  ModelUnavailableError,
  OverloadedError,
  PayloadTooLargeError,
  RateLimitedError,
  RouteNotFoundError,
  toStudioError,
  type StudioError,
} from '../core/errors.js';
import { renderDashScopeError } from '../protocols/dashscope/render-error.js';
import { renderOpenAIError } from '../protocols/openai/render-error.js';
import { apiKeyAuth } from './api-key-auth.js';
import type { AppEnv } from './app-env.js';
import { dashscopeRoutes, TEXT_GENERATION_PATH } from './dashscope-routes.js';
import type { GenerationObserver } from './generation.js';
import { openaiRoutes } from './openai-routes.js';
import type { Wire } from './wire.js';

export interface AppOptions {
  readonly engine: Engine;
  /** Accepted bearer keys; empty turns authentication off. */
  readonly apiKeys: readonly string[];
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

export interface StudioApp {
  readonly fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  /** From now on new requests get 503; requests already running finish. */
  drain(): void;
}

interface Mount {
  /** Base paths the wire's routes are served under. */
  readonly bases: readonly string[];
  readonly wire: Wire;
  readonly routes: (engine: Engine, observer: GenerationObserver) => Hono<AppEnv>;
  /** Each endpoint's path under a base, and the methods it answers. */
  readonly endpoints: Readonly<Record<string, readonly string[]>>;
}

const openaiWire: Wire = { renderError: renderOpenAIError };
const dashscopeWire: Wire = { renderError: renderDashScopeError };

const mounts: readonly Mount[] = [
  // Model Studio's path, and `/v1`, the default base of many OpenAI tools.
  { bases: ['/compatible-mode/v1', '/v1'], wire: openaiWire, routes: openaiRoutes, endpoints: { '/chat/completions': ['POST'], '/models': ['GET'], '/models/:id': ['GET'] } },
  // The DashScope SDKs append `services/aigc/text-generation/generation` to this base.
  { bases: ['/api/v1'], wire: dashscopeWire, routes: dashscopeRoutes, endpoints: { [TEXT_GENERATION_PATH]: ['POST'] } },
];

function wireFor(path: string): Wire {
  const mount = mounts.find(({ bases }) => bases.some((base) => path === base || path.startsWith(`${base}/`)));
  return (mount ?? mounts[0])!.wire;
}

function logFailure(logger: Logger, requestId: string, error: StudioError): void {
  if (error.code === 'internal') logger.error({ requestId, err: error.cause }, 'request failed');
}

function generationLog(logger: Logger): GenerationObserver {
  return {
    onEnd: (requestId, { model, usage, finishReason, error, durationMs }) =>
      logger.info(
        {
          requestId,
          model,
          inputTokens: usage?.inputTokens,
          outputTokens: usage?.outputTokens,
          cost: usage?.cost?.total,
          currency: usage?.cost?.currency,
          finishReason: finishReason?.raw,
          outcome: error === undefined ? 'completed' : toStudioError(error).code,
          ms: Math.round(durationMs),
        },
        'generation',
      ),
    onStreamError: (requestId, error) => logFailure(logger, requestId, toStudioError(error)),
  };
}

export function createApp(options: AppOptions): StudioApp {
  const { engine, logger } = options;
  const app = new Hono<AppEnv>();
  let draining = false;

  app.use(async (c, next) => {
    const startedAt = performance.now();
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('wire', wireFor(c.req.path));
    c.header('X-Request-Id', requestId);
    try {
      if (draining && c.req.path !== '/health') throw new OverloadedError('Studio is shutting down; retry on another instance.');
      await next();
    } finally {
      // Logged when the response starts; a stream's own end is the 'generation' line.
      logger.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - startedAt) }, 'request');
    }
  });

  app.get('/health', (c) => c.json({ status: draining ? 'draining' : 'ok' }, draining ? 503 : 200));

  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: () => {
      throw new PayloadTooLargeError(options.maxBodyBytes);
    },
  });
  const observer = generationLog(logger);
  for (const mount of mounts) {
    const routes = mount.routes(engine, observer);
    for (const base of mount.bases) {
      app.use(`${base}/*`, apiKeyAuth(options.apiKeys), limitBody);
      app.route(base, routes);
      for (const [path, methods] of Object.entries(mount.endpoints)) {
        app.all(`${base}${path}`, (c) => {
          throw new MethodNotAllowedError(c.req.method, methods);
        });
      }
    }
  }

  app.notFound(() => {
    throw new RouteNotFoundError('Not found.');
  });

  app.onError((thrown, c: Context<AppEnv>) => {
    const error = toStudioError(thrown);
    const requestId = c.get('requestId');
    // A client that went away reads nothing; 499 is what the access log shows.
    if (!isRenderable(error)) return c.body(null, 499 as never);
    logFailure(logger, requestId, error);
    const { status, body } = c.get('wire').renderError(error, requestId);
    if (error instanceof MethodNotAllowedError) c.header('Allow', error.allowed.join(', '));
    if ((error instanceof RateLimitedError || error instanceof ModelUnavailableError) && error.retryAfterSeconds !== undefined) {
      c.header('Retry-After', String(error.retryAfterSeconds));
    }
    if (error instanceof OverloadedError) c.header('Retry-After', '1');
    return c.json(body, status as never);
  });

  return {
    fetch: app.fetch,
    drain: () => {
      draining = true;
    },
  };
}
