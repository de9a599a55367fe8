// GET /metrics: the app's registry in Prometheus text format, open like vLLM's unless --metrics-auth asks for the admin key.
import type { Handler } from 'hono';
import type { AppEnv } from './app-env.js';
import type { StudioMetrics } from './studio-metrics.js';

export function metricsRoute(metrics: StudioMetrics): Handler<AppEnv> {
  return async (c) => c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
}
