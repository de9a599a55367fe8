// Counts each HTTP answer by wire, route pattern and status, and the requests refused by rate limits or a spent budget.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { QuotaExceededError, RateLimitedError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';
import { OPENAI_BASES } from './mount-wires.js';
import type { StudioMetrics } from './studio-metrics.js';

function under(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

function wireLabel(path: string): string {
  if (OPENAI_BASES.some((base) => under(path, base))) return 'openai';
  return under(path, '/api/v1') ? 'dashscope' : 'none';
}

/** The route's pattern, never the raw path (ids, typos), so the label keeps few values; a path no route took is `unmatched`. */
function routeLabel(route: string, status: number): string {
  return status === 404 && route.endsWith('*') ? 'unmatched' : route;
}

export function requestMetrics(metrics: StudioMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const { status } = c.res;
    metrics.requests.inc({ wire: wireLabel(c.req.path), route: routeLabel(routePath(c, -1), status), status: String(status) });
    if (c.error instanceof RateLimitedError) metrics.rateLimited.inc({ scope: c.error.scope });
    else if (c.error instanceof QuotaExceededError) metrics.budgetRefused.inc();
  };
}
