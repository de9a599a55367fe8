// Where each wire format is served: its base paths, its routes, and a 405 for a known path with another method.
import type { Hono, MiddlewareHandler } from 'hono';
import type { Engine } from '../core/engine.js';
import { MethodNotAllowedError } from '../core/errors.js';
import { MULTIMODAL_GENERATION_PATH } from '../protocols/dashscope/generation-request-schema.js';
import { renderDashScopeError } from '../protocols/dashscope/render-error.js';
import { renderOpenAIError } from '../protocols/openai/render-error.js';
import type { AppEnv } from './app-env.js';
import { dashscopeRoutes, TEXT_GENERATION_PATH } from './dashscope-routes.js';
import type { GenerationObserver } from './generation.js';
import { openaiRoutes } from './openai-routes.js';
import type { Wire } from './wire.js';

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

/** Model Studio's path, and `/v1`, the default base of many OpenAI tools. */
export const OPENAI_BASES: readonly string[] = ['/compatible-mode/v1', '/v1'];

const mounts: readonly Mount[] = [
  { bases: OPENAI_BASES, wire: openaiWire, routes: openaiRoutes, endpoints: { '/chat/completions': ['POST'], '/models': ['GET'], '/models/:id': ['GET'] } },
  // The DashScope SDKs append `services/aigc/text-generation/generation` (or `multimodal-generation`) to this base.
  {
    bases: ['/api/v1'],
    wire: dashscopeWire,
    routes: dashscopeRoutes,
    endpoints: { [TEXT_GENERATION_PATH]: ['POST'], [MULTIMODAL_GENERATION_PATH]: ['POST'] },
  },
];

/** The wire a path belongs to; paths outside every base are answered on the OpenAI-compatible wire. */
export function wireFor(path: string): Wire {
  const mount = mounts.find(({ bases }) => bases.some((base) => path === base || path.startsWith(`${base}/`)));
  return (mount ?? mounts[0])!.wire;
}

export interface MountOptions {
  readonly engine: Engine;
  readonly observer: GenerationObserver;
  /** Middleware every wire route runs first (auth, body limit). */
  readonly guards: readonly MiddlewareHandler<AppEnv>[];
}

export function mountWires(app: Hono<AppEnv>, { engine, observer, guards }: MountOptions): void {
  for (const mount of mounts) {
    const routes = mount.routes(engine, observer);
    for (const base of mount.bases) {
      app.use(`${base}/*`, ...guards);
      app.route(base, routes);
      for (const [path, methods] of Object.entries(mount.endpoints)) {
        app.all(`${base}${path}`, (c) => {
          throw new MethodNotAllowedError(c.req.method, methods);
        });
      }
    }
  }
}
