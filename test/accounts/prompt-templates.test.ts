// Saved prompt templates over HTTP: each stored key sees only its own, static keys share one set, bad input is a 400 on the OpenAI wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ADMIN_KEY = 'sk-admin-templates-test';
const STATIC_KEY = 'sk-static-templates-test';

interface Template {
  id: string;
  name: string;
  system: string | null;
  user: string;
}

let server: TestServer;
let alice: string;
let bob: string;

function call(path: string, key: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers } });
}

const save = (key: string, body: unknown, base = '/v1') => call(`${base}/playground/templates`, key, { method: 'POST', body: JSON.stringify(body) });

async function list(key: string, base = '/v1'): Promise<Template[]> {
  const response = await call(`${base}/playground/templates`, key);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Template[] }).data;
}

async function createKey(name: string): Promise<string> {
  const response = await call('/admin/v1/keys', ADMIN_KEY, { method: 'POST', body: JSON.stringify({ name }) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

beforeAll(async () => {
  server = await startTestServer({ 'admin-key': ADMIN_KEY, 'api-key': [STATIC_KEY] });
  [alice, bob] = [await createKey('alice'), await createKey('bob')];
});
afterAll(() => server?.close());

describe('/v1/playground/templates', () => {
  it('saves, replaces by name, lists and deletes a key\'s own templates', async () => {
    const response = await save(alice, { name: 'Summary', system: 'Be brief.', user: 'Summarize {{text}}' });
    expect(response.status).toBe(200);
    const first = (await response.json()) as Template;
    expect(first).toMatchObject({ object: 'prompt_template', name: 'Summary', system: 'Be brief.', user: 'Summarize {{text}}' });

    const replaced = (await (await save(alice, { name: 'Summary', user: 'Shorten {{text}}' })).json()) as Template;
    expect(replaced).toMatchObject({ id: first.id, system: null, user: 'Shorten {{text}}' });
    expect(await list(alice, '/compatible-mode/v1')).toEqual([replaced]);

    const deleted = await call(`/v1/playground/templates/${first.id}`, alice, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ object: 'prompt_template.deleted', id: first.id, deleted: true });
    expect(await list(alice)).toEqual([]);
  });

  it('shows one key none of another\'s, and lets none delete another\'s', async () => {
    const alices = (await (await save(alice, { name: 'Mine', user: 'A' })).json()) as Template;
    await save(bob, { name: 'Mine', user: 'B' });
    expect((await list(bob)).map(({ user }) => user)).toEqual(['B']);
    expect((await list(alice)).map(({ user }) => user)).toEqual(['A']);
    expect(await list(STATIC_KEY)).toEqual([]);

    const refused = await call(`/v1/playground/templates/${alices.id}`, bob, { method: 'DELETE' });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(await list(alice)).toEqual([alices]);
  });

  it('gives a static key the set of no stored key, and a wrong key a 401', async () => {
    await save(STATIC_KEY, { name: 'Shared', user: 'S' });
    expect((await list(STATIC_KEY)).map(({ name }) => name)).toEqual(['Shared']);
    expect((await call('/v1/playground/templates', 'sk-wrong')).status).toBe(401);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ name: '', user: 'x' }, 'name'],
      [{ name: 'n'.repeat(101), user: 'x' }, 'name'],
      [{ name: 'ok' }, 'user'],
      [{ name: 'ok', user: 'u'.repeat(65_537) }, 'user'],
      [{ name: 'ok', user: 'x', system: 5 }, 'system'],
    ];
    for (const [body, param] of cases) {
      const response = await save(alice, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param } });
    }
    const notJson = await call('/v1/playground/templates', alice, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect((await call('/v1/playground/templates', alice, { method: 'PUT', body: '{}' })).status).toBe(405);
  });
});
