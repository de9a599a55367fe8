// `studio batch` against a running server: a JSONL file run as a batch on the model -m names, listed, and its results saved; bad files told in one line.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, studio } from '../support/studio-process.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const key = 'sk-batch-cli-test';
const ADMIN_KEY = 'sk-admin-batch-cli-test';
const MAX_FILE_BYTES = 2048;

function request(customId: string, body: object = { messages: [{ role: 'user', content: `Say ${customId}` }], max_tokens: 4 }): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body });
}

describe('studio batch', () => {
  let server: TestServer;
  const directory = mkdtempSync(join(tmpdir(), 'studio-batch-cli-'));
  const batchCli = (...args: string[]) => finished(studio(['batch', ...args, '--url', server.url], { DASHSCOPE_API_KEY: key }));

  beforeAll(async () => {
    server = await startTestServer({ 'api-key': [key], 'admin-key': ADMIN_KEY, 'max-file-bytes': String(MAX_FILE_BYTES) });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('runs a file on the model -m names, waits for it, lists it and saves its output', async () => {
    const input = join(directory, 'requests.jsonl');
    // The lines name no model, or another one: -m sets it on each.
    writeFileSync(input, `${request('a')}\n${request('b', { model: 'elsewhere', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 })}\n${request('c')}\n`);
    const created = await batchCli('create', input, '-m', server.modelName);
    expect(created.code, created.stderr).toBe(0);
    const id = /Batch (batch_\w+) completed, lines: 3 \(3 succeeded, 0 failed\)\./.exec(created.stdout)?.[1];
    expect(id, created.stdout).toBeDefined();
    // Not a terminal: the progress comes as plain lines on stderr.
    expect(created.stderr).toContain('completed: 3/3 lines, 0 failed');

    const out = join(directory, 'results.jsonl');
    const [listed, got] = await Promise.all([batchCli('list'), batchCli('get', id!, '--out', out, '--errors', join(directory, 'errors.jsonl'))]);
    expect(listed.stdout).toMatch(new RegExp(`${id} .*completed .*3/3`));
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toMatch(/status +completed/);
    expect(got.stdout).toContain('No error file: no line failed.');
    const results = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string; response: { status_code: number; body: { model: string } } });
    expect(results.map(({ custom_id }) => custom_id).sort()).toEqual(['a', 'b', 'c']);
    for (const { response } of results) expect(response).toMatchObject({ status_code: 200, body: { model: server.modelName } });
  });

  it("tells what went wrong: the server's per-line errors, a file past the size limit, a key refused the model (its upload then removed)", async () => {
    const bad = join(directory, 'bad.jsonl');
    writeFileSync(bad, `${request('1')}\nnot json\n`);
    const big = join(directory, 'big.jsonl');
    writeFileSync(big, Array.from({ length: 40 }, (_, index) => request(`${index}`)).join('\n'));
    const good = join(directory, 'good.jsonl');
    writeFileSync(good, `${request('1')}\n`);
    const created = await fetch(`${server.url}/admin/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'other-model-only', limits: { models: ['another-model'] } }),
    });
    expect(created.status).toBe(201);
    const limitedKey = ((await created.json()) as { key: string }).key;
    const [failed, refused, denied] = await Promise.all([
      batchCli('create', bad, '-m', server.modelName),
      batchCli('create', big, '-m', server.modelName),
      finished(studio(['batch', 'create', good, '-m', server.modelName, '--url', server.url, '--api-key', limitedKey])),
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/Batch batch_\w+ failed/);
    expect(failed.stdout).toMatch(/line 2: /);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`studio batch create: 413: The file is larger than the limit of ${MAX_FILE_BYTES} bytes.\n`);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^studio batch create: 403: This API key may not use the model/);
    const files = await fetch(`${server.baseURL}/files`, { headers: { authorization: `Bearer ${limitedKey}` } });
    expect(((await files.json()) as { data: unknown[] }).data).toEqual([]);
  });
});
