// The admin API's keys: list, create (the secret is answered once), read, change and revoke stored API keys.
import { Hono } from 'hono';
import { z } from 'zod';
import { InvalidRequestError, MethodNotAllowedError, RouteNotFoundError } from '../core/errors.js';
import { keyNameProblem } from '../core/key-name.js';
import { keyState } from '../core/key-state.js';
import type { ApiKeyRecord, KeyLimits, KeyStore } from '../core/store.js';
import { unixSeconds as seconds } from '../lib/unix-seconds.js';
import type { AppEnv } from './app-env.js';
import { parseJsonBody } from './read-json-body.js';

const count = z.number().int().min(1);
/** `null` removes a limit on update. */
const limitsSchema = z.strictObject({
  rpm: count.nullish(),
  tpm: count.nullish(),
  concurrency: count.nullish(),
  budget: z.strictObject({ amount: z.number().positive(), period: z.enum(['day', 'week', 'month']).default('month') }).nullish(),
  models: z.array(z.string().min(1)).min(1).nullish(),
});
type LimitsChange = z.infer<typeof limitsSchema>;

const nameSchema = z.string().superRefine((name, context) => {
  const problem = keyNameProblem(name);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});
/** Unix seconds, as the OpenAI API writes times, or an ISO 8601 date. */
const timeSchema = z.union([z.number().int().positive().transform((seconds) => new Date(seconds * 1000)), z.iso.datetime({ offset: true }).or(z.iso.date()).transform((text) => new Date(text))]);

const createSchema = z.strictObject({ name: nameSchema, limits: limitsSchema.optional(), expires_at: timeSchema.nullish() });
const updateSchema = z.strictObject({ name: nameSchema.optional(), limits: limitsSchema.optional(), expires_at: timeSchema.nullish() });

/** The limits with `change` applied: a field present replaces, `null` removes, absent keeps. */
function changedLimits(current: KeyLimits, change: LimitsChange): KeyLimits {
  const merged: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(change)) {
    if (value === null) delete merged[field];
    else if (value !== undefined) merged[field] = value;
  }
  return merged as KeyLimits;
}

/** A key as the admin API shows it: never its secret, only the prefix that tells it apart. */
export function keyJson(record: ApiKeyRecord): object {
  return {
    object: 'api_key',
    id: record.id,
    name: record.name,
    prefix: `sk-${record.prefix}`,
    state: keyState(record),
    limits: record.limits,
    created_at: seconds(record.createdAt),
    expires_at: seconds(record.expiresAt),
    revoked_at: seconds(record.revokedAt),
    last_used_at: seconds(record.lastUsedAt),
  };
}

export interface AdminKeyRoutesOptions {
  readonly keys: KeyStore;
  /** After every change, so authentication forgets what it cached about keys. */
  readonly onChange: () => void;
}

export function adminKeyRoutes({ keys, onChange }: AdminKeyRoutesOptions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  async function existing(idOrName: string): Promise<ApiKeyRecord> {
    const record = await keys.get(idOrName);
    if (record === undefined) throw new RouteNotFoundError(`No API key has the id or name '${idOrName}'.`);
    return record;
  }

  routes.get('/keys', async (c) => c.json({ object: 'list', data: (await keys.list()).map(keyJson) }));

  routes.post('/keys', async (c) => {
    const input = await parseJsonBody(c, createSchema);
    if (input.expires_at != null && input.expires_at.getTime() <= Date.now()) throw new InvalidRequestError("'expires_at' is in the past; a key must be usable when it is made.", 'expires_at');
    const { record, secret } = await keys.create({ name: input.name, limits: changedLimits({}, input.limits ?? {}), expiresAt: input.expires_at ?? undefined });
    onChange();
    return c.json({ ...keyJson(record), key: secret }, 201);
  });

  routes.get('/keys/:id', async (c) => c.json(keyJson(await existing(c.req.param('id')))));

  routes.patch('/keys/:id', async (c) => {
    const current = await existing(c.req.param('id'));
    const input = await parseJsonBody(c, updateSchema);
    const record = await keys.update(current.id, {
      name: input.name,
      limits: input.limits === undefined ? undefined : changedLimits(current.limits, input.limits),
      expiresAt: input.expires_at,
    });
    onChange();
    return c.json(keyJson(record));
  });

  routes.delete('/keys/:id', async (c) => {
    const current = await existing(c.req.param('id'));
    const record = await keys.revoke(current.id);
    onChange();
    return c.json(keyJson(record));
  });

  for (const [path, allowed] of [['/keys', ['GET', 'POST']], ['/keys/:id', ['GET', 'PATCH', 'DELETE']]] as const) {
    routes.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, allowed);
    });
  }
  return routes;
}
