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

  close(): void {
    this.#statements.clear();
    this.database.close();
  }
}

export class StudioSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;

  constructor(database: BetterSqlite3.Database) {
    const prepared = new PreparedStatements(database);
    super({ database: prepared });
    this.#database = prepared;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
