// A schema of its own on a shared PostgreSQL server, so test runs side by side never see each other's rows.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface PostgresSchema {
  readonly name: string;
  /** The server's URL with every statement resolving unqualified names in this schema. */
  readonly url: string;
  drop(): Promise<void>;
}

async function withClient(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

export async function createPostgresSchema(serverUrl: string, prefix: string): Promise<PostgresSchema> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await withClient(serverUrl, (client) => client.query(`create schema ${name}`));
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return { name, url: url.toString(), drop: () => withClient(serverUrl, (client) => client.query(`drop schema ${name} cascade`)) };
}
