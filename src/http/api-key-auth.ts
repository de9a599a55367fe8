// Requires `Authorization: Bearer <key>` with one of the configured keys; no keys means no auth.
import type { MiddlewareHandler } from 'hono';
import { AuthenticationError } from '../core/errors.js';
import { createSecretMatcher } from '../lib/secret-matcher.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function apiKeyAuth(keys: readonly string[]): MiddlewareHandler {
  if (keys.length === 0) return async (_c, next) => next();
  const isKnown = createSecretMatcher(keys);
  return async (c, next) => {
    const presented = BEARER.exec(c.req.header('Authorization') ?? '')?.[1];
    if (presented === undefined || !isKnown(presented)) throw new AuthenticationError('Invalid API-key provided.');
    await next();
  };
}
