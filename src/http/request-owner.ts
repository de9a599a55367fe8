// Who owns what a request stores (templates, files, batches): a stored key its own; a key given with --api-key, or no key where auth is off, share ''.
import type { Context } from 'hono';
import type { AppEnv } from './app-env.js';

export const requestOwner = (c: Context<AppEnv>): string => c.get('principal')?.keyId ?? '';
