// Where the store is, in words for a banner or a command's output: never a user name or password.
import { join } from 'node:path';
import type { ServerConfig } from '../config/server-config.js';

export function storeLocation({ databaseUrl, dataDir }: Pick<ServerConfig, 'databaseUrl' | 'dataDir'>): string {
  if (databaseUrl === undefined) return `SQLite at ${join(dataDir, 'studio.db')}`;
  if (databaseUrl.startsWith('pglite:')) return `PGlite at ${databaseUrl.slice('pglite:'.length)}`;
  const { host, pathname } = new URL(databaseUrl);
  return `PostgreSQL at ${host}${pathname}`;
}

/** A Redis URL's host, port and database number. */
export function redisLocation(redisUrl: string): string {
  const { host, pathname } = new URL(redisUrl);
  return `${host}${pathname === '/' ? '' : pathname}`;
}
