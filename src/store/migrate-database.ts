// Brings a database to the latest schema; Kysely's migrator holds a lock, so replicas starting together migrate once.
import { Migrator, sql, type Kysely } from 'kysely';
import { migrations } from './migrations.js';
import type { Database, Flavour } from './schema.js';

/** Returns the names of the migrations this call applied (none when the schema was current). */
export async function migrateDatabase(db: Kysely<Database>, flavour: Flavour): Promise<string[]> {
  // Kysely finds its tables in any schema unless told which: another Studio's schema in the same database must not count.
  const schema = flavour === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: async () => migrations(flavour) },
    migrationTableName: 'studio_migrations',
    migrationLockTableName: 'studio_migrations_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`The store's schema could not be migrated${failed === undefined ? '' : ` (${failed})`}.`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
