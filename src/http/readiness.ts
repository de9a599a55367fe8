// GET /ready: whether a load balancer should send this instance requests, with the reason when it should not.
import type { Context } from 'hono';

/** Each model that must be loaded before the instance takes requests (the pinned ones), by name. */
export type RequiredModels = () => Readonly<Record<string, 'loaded' | 'loading'>>;

export function readiness(isDraining: () => boolean, requiredModels: RequiredModels): (c: Context) => Response {
  return (c) => {
    if (isDraining()) return c.json({ status: 'draining' }, 503);
    const models = requiredModels();
    const ready = Object.values(models).every((state) => state === 'loaded');
    return c.json({ status: ready ? 'ready' : 'loading', models }, ready ? 200 : 503);
  };
}
