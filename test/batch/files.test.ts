// The Batch API's files through the openai SDK: upload, list, retrieve, download and delete, each key seeing only its own, and every bad upload refused in OpenAI's error shape.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI, { APIError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ADMIN_KEY = 'sk-admin-files-test';
const MAX_FILE_BYTES = 4096;

let server: TestServer;
let alice: OpenAI;
let bob: OpenAI;
let aliceKey: string;

async function createKey(name: string): Promise<string> {
  const response = await fetch(`${server.url}/admin/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

const client = (apiKey: string, base = server.baseURL): OpenAI => new OpenAI({ apiKey, baseURL: base, maxRetries: 0 });

const jsonl = (lines: number): string =>
  Array.from({ length: lines }, (_, index) => JSON.stringify({ custom_id: `${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'tiny', messages: [{ role: 'user', content: 'hi' }] } })).join('\n');

/** What the SDK threw: an APIError's status and OpenAI-shaped body. */
async function refusal(call: Promise<unknown>): Promise<{ status: number | undefined; error: unknown }> {
  const thrown = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(APIError);
  const { status, error } = thrown as APIError;
  return { status, error };
}

async function storedFiles(): Promise<string[]> {
  return (await readdir(join(server.dataDir, 'files')).catch(() => [])).sort();
}

beforeAll(async () => {
  server = await startTestServer({ 'admin-key': ADMIN_KEY, 'max-file-bytes': String(MAX_FILE_BYTES) });
  aliceKey = await createKey('alice');
  alice = client(aliceKey);
  bob = client(await createKey('bob'));
});
afterAll(() => server?.close());

describe('/compatible-mode/v1/files', () => {
  it('uploads a JSONL file, then lists, retrieves, downloads and deletes it', async () => {
    const text = jsonl(3);
    const uploaded = await alice.files.create({ file: await toFile(Buffer.from(text), 'requests.jsonl'), purpose: 'batch' });
    expect(uploaded).toMatchObject({ object: 'file', bytes: Buffer.byteLength(text), filename: 'requests.jsonl', purpose: 'batch', status: 'processed' });
    expect(uploaded.id).toMatch(/^file-[0-9A-Za-z]+$/);
    expect(Math.abs(uploaded.created_at - Date.now() / 1000)).toBeLessThan(600);

    expect(await alice.files.retrieve(uploaded.id)).toEqual(uploaded);
    expect((await alice.files.list()).data).toEqual([uploaded]);
    const content = await alice.files.content(uploaded.id);
    expect(content.headers.get('content-length')).toBe(String(uploaded.bytes));
    expect(await content.text()).toBe(text);
    // The same file under the other base, where OpenAI tools look.
    expect(await client(aliceKey, `${server.url}/v1`).files.retrieve(uploaded.id)).toEqual(uploaded);

    expect(await alice.files.delete(uploaded.id)).toEqual({ id: uploaded.id, object: 'file', deleted: true });
    expect(await refusal(alice.files.retrieve(uploaded.id))).toMatchObject({ status: 404, error: { code: 'not_found', type: 'invalid_request_error' } });
    expect(await storedFiles()).toEqual([]);
  });

  it('pages the list newest first and filters it by purpose', async () => {
    const made = [];
    for (const name of ['a.jsonl', 'b.jsonl', 'c.jsonl']) made.push(await bob.files.create({ file: await toFile(Buffer.from(jsonl(1)), name), purpose: 'batch' }));
    const all = [];
    for await (const file of bob.files.list({ limit: 2 })) all.push(file.filename);
    expect(all.sort()).toEqual(['a.jsonl', 'b.jsonl', 'c.jsonl']);
    const first = await bob.files.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    expect((await bob.files.list({ purpose: 'batch_output' })).data).toEqual([]);
    expect(await refusal(bob.files.list({ limit: 0 }))).toMatchObject({ status: 400, error: { param: 'limit', code: 'invalid_parameter_error' } });
    for (const file of made) await bob.files.delete(file.id);
  });

  it("shows no key another key's file, nor lets it download or delete one", async () => {
    const alices = await alice.files.create({ file: await toFile(Buffer.from(jsonl(1)), 'private.jsonl'), purpose: 'batch' });
    expect((await bob.files.list()).data.map(({ id }) => id)).not.toContain(alices.id);
    for (const call of [bob.files.retrieve(alices.id), bob.files.content(alices.id), bob.files.delete(alices.id)]) {
      expect(await refusal(call)).toMatchObject({ status: 404, error: { code: 'not_found', message: `No file of yours has the id '${alices.id}'.` } });
    }
    expect(await alice.files.retrieve(alices.id)).toEqual(alices);
    await alice.files.delete(alices.id);
  });

  it('answers an unknown id with a 404 on every path', async () => {
    for (const call of [alice.files.retrieve('file-nope'), alice.files.content('file-nope'), alice.files.delete('file-nope')]) {
      expect(await refusal(call)).toMatchObject({ status: 404, error: { code: 'not_found', type: 'invalid_request_error' } });
    }
  });

  it('refuses a file past --max-file-bytes with a 413, whether its length is declared too large or found so while streaming, keeping nothing', async () => {
    const before = await storedFiles();
    // Just past the limit: the declared length leaves room for the form around the file, so the stream finds it.
    const slightly = await refusal(alice.files.create({ file: await toFile(Buffer.alloc(MAX_FILE_BYTES + 1, 'x'), 'big.jsonl'), purpose: 'batch' }));
    const far = await refusal(alice.files.create({ file: await toFile(Buffer.alloc(1024 * 1024, 'x'), 'huge.jsonl'), purpose: 'batch' }));
    for (const answer of [slightly, far]) {
      expect(answer).toMatchObject({
        status: 413,
        error: { code: 'request_too_large', type: 'invalid_request_error', message: `The file is larger than the limit of ${MAX_FILE_BYTES} bytes.` },
      });
    }
    expect(await storedFiles()).toEqual(before);
    expect((await alice.files.list()).data).toEqual([]);
    const exact = await alice.files.create({ file: await toFile(Buffer.alloc(MAX_FILE_BYTES, 'x'), 'exact.jsonl'), purpose: 'batch' });
    expect(exact.bytes).toBe(MAX_FILE_BYTES);
    await alice.files.delete(exact.id);
  });

  it('refuses another purpose, a form without its file, and a body that is not a form, with a 400 naming the field', async () => {
    const file = await toFile(Buffer.from(jsonl(1)), 'in.jsonl');
    expect(await refusal(alice.files.create({ file, purpose: 'fine-tune' }))).toMatchObject({
      status: 400,
      error: { param: 'purpose', code: 'invalid_parameter_error', message: "'purpose' must be 'batch', got 'fine-tune'." },
    });
    const post = (body: FormData | string, headers: Record<string, string> = {}) =>
      fetch(`${server.baseURL}/files`, { method: 'POST', headers: { authorization: `Bearer ${aliceKey}`, ...headers }, body });
    const noPurpose = new FormData();
    noPurpose.append('file', new Blob([jsonl(1)]), 'in.jsonl');
    const noFile = new FormData();
    noFile.append('purpose', 'batch');
    const answers = [await post(noPurpose), await post(noFile), await post(JSON.stringify({ purpose: 'batch' }), { 'content-type': 'application/json' })];
    expect(answers.map(({ status }) => status)).toEqual([400, 400, 400]);
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as { error: { param: string; code: string } }[];
    expect(bodies.map(({ error }) => error.param)).toEqual(['purpose', 'file', 'file']);
    expect((await alice.files.list()).data).toEqual([]);
  });

  it('answers another method with a 405 that names the right ones', async () => {
    const response = await fetch(`${server.baseURL}/files`, { method: 'PUT', headers: { authorization: `Bearer ${aliceKey}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
  });
});
