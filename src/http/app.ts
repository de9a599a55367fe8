// The HTTP application: request context, health, the wire mounts and error answers in each wire's shape.
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { Engine } from '../core/engine.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import type { Store } from '../core/store.js';
import { OverloadedError, PayloadTooLargeError, RouteNotFoundError } from '../core/errors.js';
import { answerError } from './answer-error.js';
import { batchRoutes } from './batch-routes.js';
import { adminKeyRoutes } from './admin-routes.js';
import type { AppEnv } from './app-env.js';
import { createAuth } from './auth.js';
import { fileRoutes, isFileUpload } from './file-routes.js';
import { bodyDeadline } from './body-deadline.js';
import { GenerationSignals } from './generation-signals.js';
import { allObservers, type GenerationObserver } from './generation.js';
import { keyLimits } from './key-limits.js';
import { metricsObserver } from './metrics-observer.js';
import { metricsRoute } from './metrics-route.js';
import { mountWires, OPENAI_BASES } from './mount-wires.js';
import { mountPlayground } from './playground.js';
import { requestBody } from './request-body.js';
import { readiness, type RequiredModels } from './readiness.js';
import { requestContext } from './request-context.js';
import { requestMetrics } from './request-metrics.js';
import type { StudioMetrics } from './studio-metrics.js';
import { templateRoutes } from './template-routes.js';
import { adminUsageRoutes, ownUsageRoutes } from './usage-routes.js';

export interface AppOptions {
  readonly engine: Engine;
  /** Keys from --api-key, without limits. With none here, no stored key and no admin key, auth is off. */
  readonly apiKeys: readonly string[];
  /** Stored keys (and their usage); without it only `apiKeys` authenticate and the admin API has no keys. */
  readonly store?: Store;
  /** Counts each stored key's requests and tokens against its limits. */
  readonly limiter?: RateLimiter;
  /** The bearer key of /admin/v1/*; without it the admin API answers 403. */
  readonly adminKey?: string;
  readonly maxBodyBytes: number;
  /** Largest file a Batch API upload may hold (files are served only with a store); `maxBodyBytes` without it. */
  readonly maxFileBytes?: number;
  /** How long a client may take to send a request body, from the end of its headers; past it, a 408. */
  readonly requestTimeoutMs: number;
  /** How long a stream waits for its client to take a frame before the connection is cut. */
  readonly writeTimeoutMs: number;
  readonly logger: Logger;
  /** Hear how each generation began and ended: the request log, the usage ledger. */
  readonly observers: readonly GenerationObserver[];
  /** Served at GET /metrics, fed by every request and generation; without it there is no /metrics. */
  readonly metrics?: StudioMetrics;
  /** The models /ready waits for; none when absent. */
  readonly requiredModels?: RequiredModels;
  /** Told when a batch is created or cancelled, so that the batch runner looks at once. */
  readonly onBatchChange?: () => void;
  /** /metrics answers the admin key alone (401 without a key, 403 with another); open by default, as vLLM's is. */
  readonly metricsAuth?: boolean;
}

export interface StudioApp {
  readonly fetch: (request: Request, env?: AppEnv['Bindings']) => Response | Promise<Response>;
  /** From now on new requests get 503 and each answer closes its connection; requests already running go on. */
  drain(): void;
  /** Ends the generations still running with a 503 `overloaded`, in the stream's own error frame once it has begun. */
  stop(): void;
}

/** Probes and scrapes keep their answers through a drain: a load balancer and Prometheus watch it happen. */
const ANSWERED_WHILE_DRAINING = new Set(['/health', '/ready', '/metrics']);

export function createApp(options: AppOptions): StudioApp {
  const { logger } = options;
  const { engine } = options;
  const signals = new GenerationSignals();
  const app = new Hono<AppEnv>();
  const answer = answerError(logger, options.requestTimeoutMs);
  let draining = false;

  app.use(requestContext(logger));
  const { metrics } = options;
  if (metrics !== undefined) {
    metrics.watch(() => engine.modelStats?.() ?? []);
    app.use(requestMetrics(metrics));
  }
  app.use(async (c, next) => {
    c.set('writeTimeoutMs', options.writeTimeoutMs);
    c.set('generationSignals', signals);
    await next();
  });
  app.use(async (c, next) => {
    if (draining) {
      // A keep-alive client learns from this answer to take its next request elsewhere.
      c.header('Connection', 'close');
      if (!ANSWERED_WHILE_DRAINING.has(c.req.path)) throw new OverloadedError('Studio is shutting down; retry on another instance.');
    }
    await next();
  });

  // Liveness: 200 as long as the process answers, draining included (a probe that failed now would kill the drain).
  app.get('/health', (c) => c.json({ status: draining ? 'draining' : 'ok' }));
  app.get('/ready', readiness(() => draining, options.requiredModels ?? (() => ({}))));

  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: () => {
      throw new PayloadTooLargeError(options.maxBodyBytes);
    },
  });
  const auth = createAuth({ apiKeys: options.apiKeys, keys: options.store?.keys, adminKey: options.adminKey, logger });
  if (metrics !== undefined && options.metricsAuth === true) app.get('/metrics', auth.admin, metricsRoute(metrics));
  else if (metrics !== undefined) app.get('/metrics', metricsRoute(metrics));
  // A stored key's own limits run after auth has found the key.
  const limits = keyLimits({ usage: options.store?.usage, limiter: options.limiter, models: () => engine.listModels(), logger });
  const deadline = bodyDeadline(options.requestTimeoutMs);
  const body = requestBody({ maxBytes: options.maxBodyBytes, timeoutMs: options.requestTimeoutMs }, (c, next) => deadline(c, async () => void (await limitBody(c, next))));
  // A file upload streams its body to the store under its own limit; every other body is read whole.
  const wireBody: MiddlewareHandler<AppEnv> = (c, next) => (isFileUpload(c.req.method, c.req.path) ? next() : body(c, next));
  mountWires(app, { engine, observer: allObservers(metrics === undefined ? options.observers : [...options.observers, metricsObserver(metrics)]), guards: [auth.api, limits, wireBody] });

  // Everything under /admin answers to the admin key alone.
  app.use('/admin/*', auth.admin, deadline, limitBody);
  if (options.store !== undefined) {
    app.route('/admin/v1', adminKeyRoutes({ keys: options.store.keys, onChange: auth.invalidate }));
    app.route('/admin/v1', adminUsageRoutes(options.store.usage));
    for (const base of OPENAI_BASES) {
      app.route(base, ownUsageRoutes(options.store.usage));
      app.route(base, templateRoutes(options.store.templates));
      app.route(base, fileRoutes({ files: options.store.files, upload: { maxFileBytes: options.maxFileBytes ?? options.maxBodyBytes, timeoutMs: options.requestTimeoutMs } }));
      app.route(base, batchRoutes({ batches: options.store.batches, files: options.store.files, models: () => engine.listModels(), onChange: options.onBatchChange }));
    }
  }
  // After the API routes: only paths none of them took reach the page's files.
  mountPlayground(app);

  // Answered here rather than thrown: a throw from the not-found handler would pass the access log unanswered.
  app.notFound((c) => answer(new RouteNotFoundError('Not found.'), c));
  app.onError(answer);

  return {
    fetch: app.fetch,
    drain: () => {
      draining = true;
    },
    stop: () => signals.stop(),
  };
}
