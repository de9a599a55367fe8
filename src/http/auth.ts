// Authentication: finds who a request acts for (a --api-key key, a stored key, the admin key) and refuses anyone else.
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { apiKeyDigest } from '../core/api-key-digest.js';
import { AuthenticationError, PermissionDeniedError } from '../core/errors.js';
import { keyState } from '../core/key-state.js';
import { ANONYMOUS, type Principal } from '../core/principal.js';
import type { ApiKeyRecord, KeyStore } from '../core/store.js';
import { createSecretMatcher } from '../lib/secret-matcher.js';
import type { AppEnv } from './app-env.js';

export interface AuthOptions {
  /** Keys from --api-key: no limits, never stored. */
  readonly apiKeys: readonly string[];
  /** Keys created with `studio keys` or the admin API. */
  readonly keys?: KeyStore;
  /** The one key the admin API takes; without it the admin API is off. */
  readonly adminKey?: string;
  readonly logger: Logger;
  /** How long a look-up, found or not, is trusted: a key changed from the CLI is seen within this. */
  readonly cacheMs?: number;
}

export interface Auth {
  /** On the API routes: sets the principal, or refuses with 401. */
  readonly api: MiddlewareHandler<AppEnv>;
  /** On /admin/*: only the admin key passes; any other valid key gets 403. */
  readonly admin: MiddlewareHandler<AppEnv>;
  /** Forgets every cached look-up, so a change made through the admin API holds from the next request. */
  invalidate(): void;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const DEFAULT_CACHE_MS = 2000;
/** Look-ups remembered at most; random keys sent by a scanner must not fill the memory. */
const MAX_CACHED = 10_000;
/** A key's last use is written at most this often, however many requests it makes. */
const TOUCH_INTERVAL_MS = 1000;

const STATIC_KEY: Principal = Object.freeze({ kind: 'static-key', limits: Object.freeze({}) });
const ADMIN: Principal = Object.freeze({ kind: 'admin', limits: Object.freeze({}) });

function presentedKey(c: Context<AppEnv>): string | undefined {
  return BEARER.exec(c.req.header('Authorization') ?? '')?.[1];
}

interface Cached {
  readonly record: Promise<ApiKeyRecord | undefined>;
  readonly at: number;
}

export function createAuth({ apiKeys, keys, adminKey, logger, cacheMs = DEFAULT_CACHE_MS }: AuthOptions): Auth {
  const isStatic = createSecretMatcher(apiKeys);
  const isAdmin = createSecretMatcher(adminKey === undefined ? [] : [adminKey]);
  const cache = new Map<string, Cached>();
  const touched = new Map<string, number>();
  // Once a stored key has been seen auth stays on, so revoking the last key never opens the server to everyone.
  let storedKeysSeen = false;
  let countedAt = -Infinity;
  let counting: Promise<boolean> | undefined;

  /** On whenever a key exists anywhere; with none, loopback serves without auth as it always has. */
  async function required(): Promise<boolean> {
    if (apiKeys.length > 0 || adminKey !== undefined || storedKeysSeen) return true;
    if (keys === undefined || performance.now() - countedAt < cacheMs) return false;
    counting ??= keys
      .list()
      .then((records) => {
        storedKeysSeen = records.some((record) => keyState(record) === 'active');
        countedAt = performance.now();
        return storedKeysSeen;
      })
      .finally(() => {
        counting = undefined;
      });
    return counting;
  }

  function lookUp(store: KeyStore, secret: string): Promise<ApiKeyRecord | undefined> {
    const digest = apiKeyDigest(secret);
    const now = performance.now();
    const hit = cache.get(digest);
    if (hit !== undefined && now - hit.at < cacheMs) return hit.record;
    // Concurrent requests with one key share one query.
    const record = store.findByDigest(digest);
    cache.delete(digest);
    cache.set(digest, { record, at: now });
    record.catch(() => cache.delete(digest));
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
    return record;
  }

  function touch(store: KeyStore, id: string): void {
    const now = performance.now();
    if (now - (touched.get(id) ?? -Infinity) < TOUCH_INTERVAL_MS) return;
    touched.set(id, now);
    store.touch(id, new Date()).catch((error: unknown) => logger.warn({ err: error, keyId: id }, 'could not record when a key was last used'));
  }

  /** The principal of a valid static or stored key; undefined for anything else (the admin key included). */
  async function keyPrincipal(secret: string): Promise<Principal | undefined> {
    if (isStatic(secret)) return STATIC_KEY;
    if (keys === undefined) return undefined;
    const record = await lookUp(keys, secret);
    if (record === undefined || keyState(record) !== 'active') return undefined;
    touch(keys, record.id);
    return { kind: 'stored-key', keyId: record.id, keyName: record.name, limits: record.limits };
  }

  return {
    api: async (c, next) => {
      const secret = presentedKey(c);
      const principal = secret === undefined ? undefined : await keyPrincipal(secret);
      // A stored key that works turns auth on at once, before the next count would.
      if (principal?.kind === 'stored-key') storedKeysSeen = true;
      if (principal === undefined && !(await required())) {
        c.set('principal', ANONYMOUS);
        return next();
      }
      if (principal === undefined) throw new AuthenticationError('Invalid API-key provided.');
      c.set('principal', principal);
      await next();
    },
    admin: async (c, next) => {
      if (adminKey === undefined) throw new PermissionDeniedError('The admin API is off: start Studio with --admin-key (or STUDIO_ADMIN_KEY).');
      const secret = presentedKey(c);
      if (secret !== undefined && isAdmin(secret)) {
        c.set('principal', ADMIN);
        return next();
      }
      if (secret !== undefined && (await keyPrincipal(secret)) !== undefined) throw new PermissionDeniedError('This key may not use the admin API; send the admin key.');
      throw new AuthenticationError('Invalid API-key provided.');
    },
    invalidate: () => {
      cache.clear();
      countedAt = -Infinity;
    },
  };
}
