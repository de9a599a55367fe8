// Stored API keys end to end: made with `studio keys` or the admin API, seen by a running server within seconds, refused once revoked or expired.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGeneration } from '../support/dashscope-client.js';
import { finished, studio } from '../support/studio-process.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ADMIN_KEY = 'sk-admin-keys-test';
const STATIC_KEY = 'sk-static-keys-test';

const directory = mkdtempSync(join(tmpdir(), 'studio-keys-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs `studio keys …` on the store in `dataDir`, as a person at a terminal would, with no server involved. */
async function keysCli(dataDir: string, ...args: string[]): Promise<string> {
  const result = await finished(studio(['keys', ...args, '--data-dir', dataDir]));
  if (result.code !== 0) throw new Error(`studio keys ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Calls `attempt` until it resolves, every 100 ms, for at most `timeoutMs`; a change made elsewhere must be seen within that. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function chat(server: TestServer, apiKey: string): Promise<OpenAI.ChatCompletion> {
  const client = new OpenAI({ baseURL: server.baseURL, apiKey, maxRetries: 0 });
  return client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
}

function nativeChat(server: TestServer, apiKey: string | undefined): Promise<Response> {
  return callGeneration(server.url, { apiKey, body: { model: server.modelName, input: { messages: [{ role: 'user', content: 'hi' }] }, parameters: { max_tokens: 2 } } });
}

async function refusedByOpenAI(server: TestServer, apiKey: string): Promise<void> {
  const error = await chat(server, apiKey).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof OpenAI.AuthenticationError)) throw new Error(`expected a 401, got ${String(error)}`);
  expect(error.code).toBe('invalid_api_key');
}

async function expectNativeRefusal(server: TestServer, apiKey: string): Promise<void> {
  const response = await nativeChat(server, apiKey);
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ code: 'InvalidApiKey', message: 'Invalid API-key provided.', request_id: expect.any(String) });
}

interface KeyJson {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly state: string;
  readonly limits: Record<string, unknown>;
  readonly expires_at: number | null;
  readonly last_used_at: number | null;
  readonly key?: string;
}

describe('stored keys, with an admin key and an --api-key key', () => {
  const dataDir = join(directory, 'data');
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ 'data-dir': dataDir, 'admin-key': ADMIN_KEY, 'api-key': [STATIC_KEY] });
  });
  afterAll(() => server?.close());

  const admin = (path: string, init: RequestInit = {}, key: string | null = ADMIN_KEY): Promise<Response> =>
    fetch(`${server.url}/admin/v1${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json', ...(key === null ? {} : { Authorization: `Bearer ${key}` }) },
    });
  const createKey = async (body: object): Promise<KeyJson> => {
    const response = await admin('/keys', { method: 'POST', body: JSON.stringify(body) });
    expect(response.status).toBe(201);
    return (await response.json()) as KeyJson;
  };

  it('serves a key made with studio keys create within seconds, and refuses it on both wires once revoked', async () => {
    const created = await finished(studio(['keys', 'create', '--name', 'from-cli', '--rpm', '600', '--data-dir', dataDir]));
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^sk-[0-9A-Za-z]{40,}$/);
    expect(created.stderr).toContain('cannot show it again');

    const completion = await eventually(() => chat(server, secret));
    expect(completion.usage?.completion_tokens).toBe(2);
    expect((await nativeChat(server, secret)).status).toBe(200);

    expect(await keysCli(dataDir, 'revoke', 'from-cli')).toContain('Revoked key from-cli');
    await eventually(() => refusedByOpenAI(server, secret), 10_000);
    await expectNativeRefusal(server, secret);

    const list = await keysCli(dataDir, 'list');
    expect(list).toMatch(new RegExp(`│ from-cli\\s+│ ${secret.slice(0, 11)}…\\s+│ 600 rpm\\s+│ 0 USD this month\\s+│ \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\s+│ revoked `));
    expect(list).not.toContain(secret);
  });

  it('refuses a key once it has expired', async () => {
    const key = await createKey({ name: 'short-lived', expires_at: new Date(Date.now() + 1500).toISOString() });
    expect((await chat(server, key.key ?? '')).usage?.completion_tokens).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (key.expires_at ?? 0) * 1000 + 1000 - Date.now())));
    await refusedByOpenAI(server, key.key ?? '');
    await expectNativeRefusal(server, key.key ?? '');
    expect(((await (await admin(`/keys/${key.id}`)).json()) as KeyJson).state).toBe('expired');
  });

  it('creates, lists, changes and revokes keys through the admin API, showing the secret only once', async () => {
    const key = await createKey({ name: 'team-a', limits: { rpm: 60, budget: { amount: 5 } } });
    expect(key).toMatchObject({ object: 'api_key', name: 'team-a', state: 'active', limits: { rpm: 60, budget: { amount: 5, period: 'month' } }, expires_at: null });
    expect(key.key).toMatch(/^sk-/);
    expect(key.prefix).toBe(key.key?.slice(0, 11));
    expect((await chat(server, key.key ?? '')).usage?.completion_tokens).toBe(2);

    const list = (await (await admin('/keys')).json()) as { object: string; data: KeyJson[] };
    expect(list.object).toBe('list');
    const listed = list.data.find((entry) => entry.id === key.id);
    expect(listed).toMatchObject({ name: 'team-a', state: 'active' });
    expect(listed).not.toHaveProperty('key');
    expect(JSON.stringify(list)).not.toContain(key.key);

    const changed = await admin('/keys/team-a', { method: 'PATCH', body: JSON.stringify({ name: 'team-b', limits: { rpm: null, tpm: 10_000 } }) });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: key.id, name: 'team-b', limits: { tpm: 10_000, budget: { amount: 5, period: 'month' } } });
    expect(((await (await admin(`/keys/${key.id}`)).json()) as KeyJson).limits).not.toHaveProperty('rpm');
    // The key's last use is written in the background.
    await eventually(async () => expect(((await (await admin(`/keys/${key.id}`)).json()) as KeyJson).last_used_at).toBeGreaterThan(0));

    const revoked = await admin(`/keys/${key.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: key.id, state: 'revoked' });
    // A change through the admin API holds from the next request, cached look-ups or not.
    await refusedByOpenAI(server, key.key ?? '');
  });

  it('answers bad admin requests in the OpenAI error shape', async () => {
    const invalid = await admin('/keys', { method: 'POST', body: JSON.stringify({ name: 'x', limits: { rpm: 0 } }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', param: 'limits.rpm' });

    const past = await admin('/keys', { method: 'POST', body: JSON.stringify({ name: 'late', expires_at: 1_000_000_000 }) });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { error: unknown }).error).toMatchObject({ param: 'expires_at', message: expect.stringContaining('in the past') });

    await createKey({ name: 'taken' });
    const taken = await admin('/keys', { method: 'POST', body: JSON.stringify({ name: 'taken' }) });
    expect(taken.status).toBe(400);
    expect(((await taken.json()) as { error: { message: string } }).error.message).toContain("'taken' already exists");

    const missing = await admin('/keys/no-such-key');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');

    const method = await admin('/keys', { method: 'PUT', body: '{}' });
    expect(method.status).toBe(405);
  });

  it('lets only the admin key reach the admin API: 401 without a valid key, 403 with a normal one', async () => {
    const stored = await createKey({ name: 'not-admin' });
    expect((await admin('/keys', {}, null)).status).toBe(401);
    expect((await admin('/keys', {}, 'sk-wrong')).status).toBe(401);
    for (const key of [stored.key ?? '', STATIC_KEY]) {
      const refused = await admin('/keys', { method: 'POST', body: JSON.stringify({ name: 'sneaky' }) }, key);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('access_denied');
    }
    expect((await admin('/keys/sneaky')).status).toBe(404);
  });

  it('keeps --api-key keys working without limits, and takes the admin key for the admin API only', async () => {
    expect((await chat(server, STATIC_KEY)).usage?.completion_tokens).toBe(2);
    await refusedByOpenAI(server, ADMIN_KEY);
    await refusedByOpenAI(server, 'sk-never-issued');
    const anonymous = await nativeChat(server, undefined);
    expect(anonymous.status).toBe(401);
  });
});

describe('a store with no key anywhere', () => {
  const dataDir = join(directory, 'first-run', 'nested');
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ 'data-dir': dataDir });
  });
  afterAll(() => server?.close());

  it('is created on the first start, with no set-up', () => {
    expect(existsSync(join(dataDir, 'studio.db'))).toBe(true);
  });

  it('is brought up to date by studio migrate, with no server', async () => {
    const fresh = join(directory, 'migrated');
    const result = await finished(studio(['migrate', '--data-dir', fresh]));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Migrated the store \\(SQLite at ${join(fresh, 'studio.db')}\\): 0001_`));
    expect(existsSync(join(fresh, 'studio.db'))).toBe(true);
  });

  it('serves loopback without auth, with the admin API off, until a key is created', async () => {
    expect((await chat(server, 'anything')).usage?.completion_tokens).toBe(2);
    expect((await nativeChat(server, undefined)).status).toBe(200);
    const adminApi = await fetch(`${server.url}/admin/v1/keys`);
    expect(adminApi.status).toBe(403);
    expect(((await adminApi.json()) as { error: { message: string } }).error.message).toContain('--admin-key');

    const secret = (await keysCli(dataDir, 'create', '--name', 'first')).trim();
    await eventually(async () => expect((await nativeChat(server, undefined)).status).toBe(401));
    expect((await chat(server, secret)).usage?.completion_tokens).toBe(2);
  });

  it('lets serve listen beyond loopback once the store holds a key', async () => {
    const wide = await startTestServer({ 'data-dir': dataDir, host: '0.0.0.0' });
    try {
      expect((await fetch(`http://127.0.0.1:${new URL(wide.url).port}/compatible-mode/v1/models`)).status).toBe(401);
    } finally {
      await wide.close();
    }
  });
});
