// The Batch API end to end through the openai SDK: a file in, its lines run on the tiny model, the output and error files out, billed at half price.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedger } from '../support/ledger-rows.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { tinyModelPath } from '../test-model.js';

const MODEL = 'alpha';
/** Per million tokens. */
const PRICE = { currency: 'USD', input: 0.05, output: 0.2 };
const ENDPOINT = '/v1/chat/completions';

const directory = mkdtempSync(join(tmpdir(), 'studio-batch-'));
const dataDir = join(directory, 'data');
let server: TestServer;
let client: OpenAI;

beforeAll(async () => {
  const config = join(directory, 'catalog.json');
  writeFileSync(config, JSON.stringify({ models: [{ name: MODEL, source: await tinyModelPath(), context: 1024, parallel: 2, price: PRICE }] }));
  server = await startTestServer({ model: undefined, config, 'data-dir': dataDir });
  client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

interface Line {
  custom_id?: unknown;
  method?: unknown;
  url?: unknown;
  body?: unknown;
}

const line = (customId: string, body: Record<string, unknown> = {}): Line => ({
  custom_id: customId,
  method: 'POST',
  url: ENDPOINT,
  body: { model: MODEL, messages: [{ role: 'user', content: `Say something about ${customId}.` }], max_tokens: 4, ...body },
});

async function upload(text: string): Promise<string> {
  const file = await client.files.create({ file: await toFile(Buffer.from(text), 'input.jsonl'), purpose: 'batch' });
  return file.id;
}

const jsonl = (lines: readonly unknown[]): string => lines.map((entry) => JSON.stringify(entry)).join('\n');

async function createBatch(text: string): Promise<Batch> {
  return client.batches.create({ input_file_id: await upload(text), endpoint: ENDPOINT, completion_window: '24h' });
}

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

async function settled(id: string): Promise<Batch> {
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (TERMINAL.has(batch.status)) return batch;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An output or error file line, as far as these tests read it. */
interface ResultLine {
  readonly custom_id: string;
  readonly response: {
    readonly status_code: number;
    readonly request_id: string;
    readonly body: { readonly usage: { prompt_tokens: number; completion_tokens: number }; readonly choices: { message: { role: string } }[] };
  };
  readonly error: unknown;
}

async function fileLines(id: string | null | undefined): Promise<ResultLine[]> {
  if (id == null) return [];
  const text = await (await client.files.content(id)).text();
  return text
    .split('\n')
    .filter((entry) => entry !== '')
    .map((entry) => JSON.parse(entry) as ResultLine);
}

describe('a batch', () => {
  let completed: Batch;

  it('runs every line and answers each as the live endpoint would, in an output file', async () => {
    const created = await client.batches.create({ input_file_id: await upload(jsonl([line('a'), line('b'), line('c')])), endpoint: ENDPOINT, completion_window: '24h', metadata: { job: 'test' } });
    expect(created).toMatchObject({ object: 'batch', endpoint: ENDPOINT, completion_window: '24h', metadata: { job: 'test' }, errors: null });
    completed = await settled(created.id);
    expect(completed).toMatchObject({ status: 'completed', request_counts: { total: 3, completed: 3, failed: 0 }, error_file_id: null });
    expect(completed.completed_at).toBeGreaterThanOrEqual(completed.created_at);
    const output = await fileLines(completed.output_file_id);
    expect(output.map((entry) => entry.custom_id).sort()).toEqual(['a', 'b', 'c']);
    for (const entry of output) {
      expect(entry).toMatchObject({ response: { status_code: 200, body: { object: 'chat.completion', model: MODEL } }, error: null });
      expect(entry.response.body.choices[0]?.message.role).toBe('assistant');
    }
    expect((await client.batches.list()).data.map((batch) => batch.id)).toContain(created.id);
  });

  it('bills each line once, marked as batch, at half the catalog price', async () => {
    const output = await fileLines(completed.output_file_id);
    const { rows } = readLedger(dataDir);
    for (const entry of output) {
      const row = rows.get(entry.response.request_id);
      const { usage } = entry.response.body;
      expect(row).toMatchObject({ wire: 'batch', status: 'completed', model_served: MODEL, prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, currency: 'USD' });
      const full = usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output;
      expect(Math.abs(row!.cost_micros! - full / 2)).toBeLessThanOrEqual(1);
    }
  });

  it('answers the lines the live endpoint would refuse in an error file, and runs the others', async () => {
    const batch = await settled((await createBatch(jsonl([line('good'), line('bad', { temperature: 7 })]))).id);
    expect(batch).toMatchObject({ status: 'completed', request_counts: { total: 2, completed: 1, failed: 1 } });
    expect((await fileLines(batch.output_file_id)).map((entry) => entry.custom_id)).toEqual(['good']);
    const [failure, ...more] = await fileLines(batch.error_file_id);
    expect(more).toEqual([]);
    expect(failure).toMatchObject({
      custom_id: 'bad',
      response: { status_code: 400, body: { error: { code: 'invalid_parameter_error', type: 'invalid_request_error', param: 'temperature' } } },
      error: { code: 'invalid_parameter_error' },
    });
    // Only the line that ran is in the ledger: the refused one never reached the engine.
    expect(readLedger(dataDir).rows.has(failure!.response.request_id)).toBe(false);
  });

  it('stops at a cancel, keeping and billing the lines done before it', async () => {
    const lines = Array.from({ length: 24 }, (_, index) => line(`long-${index}`, { max_tokens: 200 }));
    const created = await createBatch(jsonl(lines));
    for (let batch = created; batch.request_counts!.completed === 0; batch = await client.batches.retrieve(created.id)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const cancelling = await client.batches.cancel(created.id);
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);
    const batch = await settled(created.id);
    expect(batch.status).toBe('cancelled');
    expect(batch.cancelled_at).not.toBeNull();
    const done = batch.request_counts!.completed;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(24);
    const output = await fileLines(batch.output_file_id);
    expect(output).toHaveLength(done);
    const billed = [...readLedger(dataDir).rows.values()].filter((row) => row.request_id.startsWith(`${created.id}_`));
    expect(billed.filter((row) => row.status === 'completed').map((row) => row.request_id).sort()).toEqual(output.map((entry) => entry.response.request_id).sort());
    await expect(client.batches.cancel(created.id)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('expires past its window with what was done', async () => {
    const created = await createBatch(jsonl(Array.from({ length: 24 }, (_, index) => line(`late-${index}`, { max_tokens: 200 }))));
    for (let batch = created; batch.request_counts!.completed === 0; batch = await client.batches.retrieve(created.id)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Its 24 hours are over: the runner sees it at its next look at the store.
    const db = new Database(join(dataDir, 'studio.db'));
    db.pragma('busy_timeout = 5000');
    db.prepare('UPDATE batches SET expires_at = ? WHERE id = ?').run(new Date(Date.now() - 1000).toISOString(), created.id);
    db.close();
    const batch = await settled(created.id);
    expect(batch.status).toBe('expired');
    expect(batch.expired_at).not.toBeNull();
    const done = batch.request_counts!.completed;
    expect(done).toBeLessThan(24);
    expect(await fileLines(batch.output_file_id)).toHaveLength(done);
  });
});

describe('a batch input file that is refused', () => {
  const refusals: [string, string, Record<string, unknown>][] = [
    ['not JSONL', 'this is not json\n', { code: 'invalid_json_line', line: 1 }],
    ['a line without custom_id', jsonl([line('a'), { ...line('b'), custom_id: undefined }]), { code: 'missing_required_parameter', param: 'custom_id', line: 2 }],
    ['a custom_id used twice', jsonl([line('a'), line('a')]), { code: 'duplicate_custom_id', param: 'custom_id', line: 2 }],
    ['a method other than POST', jsonl([{ ...line('a'), method: 'GET' }]), { code: 'invalid_method', param: 'method', line: 1 }],
    ['a url other than the endpoint', jsonl([{ ...line('a'), url: '/v1/embeddings' }]), { code: 'invalid_url', param: 'url', line: 1 }],
    ['two models', jsonl([line('a'), line('b', { model: 'beta' })]), { code: 'mismatched_model', param: 'body.model', line: 2 }],
    ['an unknown model', jsonl([line('a', { model: 'nope' })]), { code: 'model_not_found', param: 'body.model', line: 1 }],
    ['an empty file', '\n', { code: 'empty_file', line: null }],
  ];

  it.each(refusals)('fails the batch for %s, with the line to blame', async (_, text, error) => {
    const batch = await createBatch(text);
    expect(batch).toMatchObject({ status: 'failed', request_counts: { total: 0, completed: 0, failed: 0 }, output_file_id: null });
    expect(batch.failed_at).not.toBeNull();
    expect(batch.errors?.data?.[0]).toMatchObject(error);
    expect(await client.batches.retrieve(batch.id)).toMatchObject({ status: 'failed' });
  });

  it('refuses an input_file_id that names no file, or a file not uploaded for batches', async () => {
    const refused = (input_file_id: string) => client.batches.create({ input_file_id, endpoint: ENDPOINT, completion_window: '24h' });
    await expect(refused('file-nothing')).rejects.toMatchObject({ status: 400, code: 'invalid_parameter_error', param: 'input_file_id' });
    const outputFile = (await client.files.list({ purpose: 'batch_output' })).data[0];
    expect(outputFile).toBeDefined();
    await expect(refused(outputFile!.id)).rejects.toMatchObject({ status: 400, code: 'invalid_parameter_error', param: 'input_file_id' });
  });

  it('refuses an endpoint or a window Model Studio does not take', async () => {
    const input_file_id = await upload(jsonl([line('a')]));
    await expect(client.batches.create({ input_file_id, endpoint: '/v1/embeddings', completion_window: '24h' })).rejects.toMatchObject({ status: 400, param: 'endpoint' });
    await expect(client.batches.create({ input_file_id, endpoint: ENDPOINT, completion_window: '48h' as '24h' })).rejects.toMatchObject({ status: 400, param: 'completion_window' });
    await expect(client.batches.retrieve('batch_nothing')).rejects.toMatchObject({ status: 404 });
  });
});
