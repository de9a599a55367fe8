// Usage read from the ledger's daily totals: every key's under the admin API, a key's own under /v1/usage.
import { Hono, type Context } from 'hono';
import type { UsageReader } from '../core/store.js';
import { foldUnpriced, usageJson, usageQuery } from '../core/usage-report.js';
import type { AppEnv } from './app-env.js';

/** `keyId` narrows the answer to one key's usage ('' for requests made without a stored key). */
async function answerUsage(c: Context<AppEnv>, usage: UsageReader, keyId: string | undefined): Promise<Response> {
  const query = usageQuery({ from: c.req.query('from'), to: c.req.query('to'), groupBy: c.req.query('group_by') }, new Date());
  return c.json(usageJson(query, foldUnpriced(await usage.usage({ ...query, keyId }))));
}

/** `GET /usage` under /admin/v1: every key's usage. */
export function adminUsageRoutes(usage: UsageReader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/usage', (c) => answerUsage(c, usage, undefined));
  return routes;
}

/**
 * `GET /usage` under the OpenAI-compatible bases: a stored key reads its own usage; a key given with
 * --api-key, or no key where auth is off, reads that of the requests made without a stored key.
 */
export function ownUsageRoutes(usage: UsageReader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/usage', (c) => answerUsage(c, usage, c.get('principal')?.keyId ?? ''));
  return routes;
}
