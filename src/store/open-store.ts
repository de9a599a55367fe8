// Opens the store a URL names — PostgreSQL, PGlite, or by default SQLite in the data folder — migrated to the latest schema.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, type Dialect, type LogEvent } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import { migrateDatabase } from './migrate-database.js';
import { PgliteDialect } from './pglite-dialect.js';
import type { Database, Flavour } from './schema.js';
import { StudioSqliteDialect } from './sqlite-dialect.js';

export interface OpenStoreOptions {
  /** `postgres://…` or `postgresql://…` for a PostgreSQL server; `pglite:memory` or `pglite:FOLDER` for PGlite; absent for SQLite. */
  readonly databaseUrl?: string;
  /** Where SQLite's `studio.db` lives; created on first use. */
  readonly dataDir: string;
  /** Where the Batch API's files are kept (default: `files` in `dataDir`); replicas sharing a database must share it too. */
  readonly filesDir?: string;
  /** This process's id in the ledger: a restart with the same id closes the rows it left open. */
  readonly instance: string;
  /** Sees the SQL of every statement, transaction control included (diagnostics). */
  readonly onQuery?: (sql: string) => void;
}

/** How long a SQLite writer waits for another process's transaction before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

async function openDialect(options: Omit<OpenStoreOptions, 'instance'>): Promise<{ dialect: Dialect; flavour: Flavour }> {
  const url = options.databaseUrl;
  if (url === undefined || url === '') {
    await mkdir(options.dataDir, { recursive: true });
    // better-sqlite3 reports every statement run on it: Kysely's, and the ledger's, which it runs there directly.
    const { onQuery } = options;
    const database = new BetterSqlite3(join(options.dataDir, 'studio.db'), { verbose: onQuery === undefined ? undefined : (sql) => onQuery(String(sql)) });
    database.pragma('journal_mode = WAL');
    // A commit reaches the WAL file, not the disk: it outlives the process (kill -9), and a power cut may take the last few.
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    return { dialect: new StudioSqliteDialect(database), flavour: 'sqlite' };
  }
  // PostgreSQL's and PGlite's clients are imported only when named: SQLite's start-up need not parse them.
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url });
    // An idle connection that breaks (the server restarted) must not end the process: the next query reports it.
    pool.on('error', () => undefined);
    return { dialect: new PostgresDialect({ pool }), flavour: 'postgres' };
  }
  if (url.startsWith('pglite:')) {
    const { PGlite } = await import('@electric-sql/pglite');
    const where = url.slice('pglite:'.length);
    return { dialect: new PgliteDialect(where === 'memory' ? new PGlite() : new PGlite(where)), flavour: 'postgres' };
  }
  throw new Error(`The database URL must start with postgres:// or postgresql:// (or pglite:), got '${url.split(':')[0]}:'.`);
}

async function openDatabase(options: Omit<OpenStoreOptions, 'instance'>): Promise<{ db: Kysely<Database>; flavour: Flavour }> {
  const { dialect, flavour } = await openDialect(options);
  const { onQuery } = options;
  const db = new Kysely<Database>({
    dialect,
    ...(onQuery === undefined || flavour === 'sqlite' ? {} : { log: (event: LogEvent) => (event.level === 'query' ? onQuery(event.query.sql) : undefined) }),
  });
  return { db, flavour };
}

/** Opens and migrates; the caller closes the store, which commits what its ledger still holds. */
export async function openStore(options: OpenStoreOptions): Promise<KyselyStore> {
  const { db, flavour } = await openDatabase(options);
  try {
    await migrateDatabase(db, flavour);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new KyselyStore(db, options.instance, flavour, options.filesDir ?? join(options.dataDir, 'files'));
}

/** `studio migrate`: brings the schema up to date and names the migrations it applied. */
export async function migrateStore(options: Omit<OpenStoreOptions, 'instance'>): Promise<string[]> {
  const { db, flavour } = await openDatabase(options);
  try {
    return await migrateDatabase(db, flavour);
  } finally {
    await db.destroy();
  }
}
