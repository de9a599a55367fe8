// The store contract on a real PostgreSQL server (DATABASE_URL), each database a schema of its own, dropped afterwards.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { describeStoreContract } from './store-contract.js';

const url = process.env.DATABASE_URL;

if (url === undefined || url === '') {
  describe.skip('the PostgreSQL store (skipped: DATABASE_URL is not set; SQLite and PGlite still run the contract)', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const schemas: string[] = [];

  async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** The same server, with every statement resolving unqualified names in `schema`. */
  function inSchema(schema: string): string {
    const withSchema = new URL(url ?? '');
    withSchema.searchParams.set('options', `-c search_path=${schema}`);
    return withSchema.toString();
  }

  describeStoreContract('PostgreSQL', {
    fresh: async () => {
      const schema = `studio_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      schemas.push(schema);
      await admin((client) => client.query(`create schema ${schema}`));
      return { databaseUrl: inSchema(schema), dataDir: '' };
    },
    sharedByProcesses: true,
    cleanup: () =>
      admin(async (client) => {
        for (const schema of schemas) await client.query(`drop schema ${schema} cascade`);
      }),
  });
}
