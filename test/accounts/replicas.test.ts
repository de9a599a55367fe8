// Two Studio replicas on one PostgreSQL (DATABASE_URL) and one Redis (REDIS_URL): keys are shared, and together they hold a key's limit as one would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyLimits } from '../../src/core/store.js';
import { createPostgresSchema, type PostgresSchema } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const ADMIN_KEY = 'sk-admin-replicas-test';
const ask = [{ role: 'user' as const, content: 'Name a colour.' }];

if (databaseUrl === undefined || databaseUrl === '' || redisUrl === undefined || redisUrl === '') {
  describe.skip('two replicas on one PostgreSQL and one Redis (skipped: DATABASE_URL and REDIS_URL must both be set)', () => {
    it('needs a PostgreSQL server and a Redis server', () => undefined);
  });
} else {
  describe('two replicas on one PostgreSQL and one Redis', () => {
    let schema: PostgresSchema;
    const directory = mkdtempSync(join(tmpdir(), 'studio-replicas-'));
    const replicas: TestServer[] = [];
    let keyCount = 0;

    beforeAll(async () => {
      schema = await createPostgresSchema(databaseUrl, 'studio_replicas');
      for (const name of ['a', 'b']) {
        replicas.push(
          await startTestServer({
            'database-url': schema.url,
            'redis-url': redisUrl,
            'admin-key': ADMIN_KEY,
            'instance-id': `replica-${name}-${schema.name}`,
            // Holds no store (that is PostgreSQL), only the memory estimates of model files.
            'data-dir': join(directory, name),
          }),
        );
      }
    });

    afterAll(async () => {
      await Promise.all(replicas.map((replica) => replica.close()));
      await schema?.drop();
      rmSync(directory, { recursive: true, force: true });
    });

    async function createKey(through: TestServer, limits: KeyLimits): Promise<string> {
      const response = await fetch(`${through.url}/admin/v1/keys`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `replicas-${++keyCount}`, limits }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { key: string }).key;
    }

    async function chat(on: TestServer, key: string): Promise<Response> {
      return fetch(`${on.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: on.modelName, messages: ask, max_tokens: 1 }),
      });
    }

    it('take a key created through either of them', async () => {
      const [a, b] = replicas as [TestServer, TestServer];
      const fromA = await createKey(a, {});
      const fromB = await createKey(b, { rpm: 100 });
      for (const [on, key] of [
        [b, fromA],
        [a, fromB],
      ] as const) {
        const response = await chat(on, key);
        expect(response.status).toBe(200);
        await response.text();
      }
    });

    it('give a key limited to 20 requests a minute at most 20 successes between them', async () => {
      const key = await createKey(replicas[0]!, { rpm: 20 });
      const statuses: number[] = [];
      const codes = new Set<string>();
      // Quick requests, two at a time, one to each replica.
      for (let round = 0; round < 15; round++) {
        const responses = await Promise.all(replicas.map((replica) => chat(replica, key)));
        for (const response of responses) {
          statuses.push(response.status);
          const body = (await response.json()) as { error?: { code: string } };
          if (body.error !== undefined) codes.add(body.error.code);
        }
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(20);
      expect(statuses.filter((status) => status === 429)).toHaveLength(10);
      expect([...codes]).toEqual(['limit_requests']);
    });
  });
}
