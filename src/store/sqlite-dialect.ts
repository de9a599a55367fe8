// SQLite for several processes on one file: write transactions take the lock when they begin, DDL runs in them, and statements are prepared once.
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';

/**
 * `begin immediate` waits (busy_timeout) for another process's writer instead of failing when a read
 * snapshot must later become a write, so two servers, or a server and `studio keys`, share one file.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SQLite has transactional DDL: with it, two processes migrating at once run the migrations once. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  /** Kept here, where `sqliteTransactions` finds it from a Kysely instance. */
  constructor(readonly database: PreparedStatements) {
    super();
  }

  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Statements kept prepared; the ledger's multi-row statements take one shape per row count. */
const PREPARED_STATEMENTS = 512;

/**
 * Kysely prepares every statement it runs; preparing costs more than running the ledger's. The same SQL
 * gets the same prepared statement back (SQLite re-prepares it by itself after a schema change).
 */
class PreparedStatements implements SqliteDatabase {
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(private readonly database: BetterSqlite3.Database) {}

  prepare(sql: string): SqliteStatement {
    const statement = this.#statements.get(sql) ?? this.database.prepare(sql);
    // Most recently used last; the least recently used goes first when the cache is full.
    this.#statements.delete(sql);
    this.#statements.set(sql, statement);
    if (this.#statements.size > PREPARED_STATEMENTS) this.#statements.delete(this.#statements.keys().next().value!);
    return statement;
  }

  get inTransaction(): boolean {
    return this.database.inTransaction;
  }

  close(): void {
    this.#statements.clear();
    this.database.close();
  }
}

/** Runs one statement (a prepared one when it ran before) and returns its rows; a promise where it goes through Kysely. */
export type RunSql = <R>(sql: string, parameters: readonly unknown[]) => readonly R[] | Promise<readonly R[]>;

/** Runs `work` in one `begin immediate` transaction; its rejection rolls the transaction back. */
export type SqliteTransactions = <T>(work: (run: RunSql) => Promise<T>) => Promise<T>;

/**
 * Statements straight on better-sqlite3 under a Kysely instance of this dialect, each with no promise or
 * query object of Kysely's (the ledger's flush); undefined for any other dialect. The work holds Kysely's
 * one connection, so it never runs inside a Kysely transaction that is awaiting something, and it must
 * run no Kysely query itself.
 */
export function sqliteTransactions<DB>(db: Kysely<DB>): SqliteTransactions | undefined {
  const executor = db.getExecutor();
  const { adapter } = executor;
  if (!(adapter instanceof TransactionalDdlSqliteAdapter)) return undefined;
  const { database } = adapter;
  const run = <R>(sql: string, parameters: readonly unknown[]): R[] => {
    const statement = database.prepare(sql);
    if (statement.reader) return statement.all(parameters) as R[];
    statement.run(parameters);
    return [];
  };
  return (work) =>
    executor.provideConnection(async () => {
      run('begin immediate', []);
      try {
        const result = await work(run);
        run('commit', []);
        return result;
      } catch (error) {
        // Some errors (a full disk) have rolled the transaction back already.
        if (database.inTransaction) run('rollback', []);
        throw error;
      }
    });
}

export class StudioSqliteDialect extends SqliteDialect {
  readonly #database: PreparedStatements;

  constructor(database: BetterSqlite3.Database) {
    const prepared = new PreparedStatements(database);
    super({ database: prepared });
    this.#database = prepared;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter(this.#database);
  }
}
