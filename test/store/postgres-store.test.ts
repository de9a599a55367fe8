// The store contract on a real PostgreSQL server (DATABASE_URL), each database a schema of its own, dropped afterwards.
import { describe, it } from 'vitest';
import { createPostgresSchema, type PostgresSchema } from '../support/postgres-schema.js';
import { describeStoreContract } from './store-contract.js';

const url = process.env.DATABASE_URL;

if (url === undefined || url === '') {
  describe.skip('the PostgreSQL store (skipped: DATABASE_URL is not set; SQLite and PGlite still run the contract)', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const schemas: PostgresSchema[] = [];

  describeStoreContract('PostgreSQL', {
    fresh: async () => {
      const schema = await createPostgresSchema(url, 'studio_test');
      schemas.push(schema);
      return { databaseUrl: schema.url, dataDir: '' };
    },
    sharedByProcesses: true,
    cleanup: async () => {
      for (const schema of schemas) await schema.drop();
    },
  });
}
