// The usage ledger end to end: one row per request (blocking, streamed, cancelled, refused) with the tokens its client saw, committed before the reply's last byte, and the usage read back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type StudioApp } from '../../src/http/app.js';
import type { GenerationObserver } from '../../src/http/generation.js';
import { callGeneration, parseSse, type Packet } from '../support/dashscope-client.js';
import { readLedger, type LedgerRow } from '../support/ledger-rows.js';
import { finished, studio } from '../support/studio-process.js';
import { eventually, startTestServer, type TestServer } from '../support/test-server.js';
import { tinyModelPath } from '../test-model.js';

const ADMIN_KEY = 'sk-admin-ledger-test';
const MODEL = 'alpha';
const ALIAS = 'qwen-turbo';
/** Per million tokens. */
const PRICE = { currency: 'USD', input: 0.05, output: 0.2 };
const ask = [{ role: 'user' as const, content: 'Name a colour.' }];

const directory = mkdtempSync(join(tmpdir(), 'studio-ledger-'));
const dataDir = join(directory, 'data');
let server: TestServer;
let key: { secret: string; id: string; name: string };
let client: OpenAI;

beforeAll(async () => {
  const config = join(directory, 'catalog.json');
  writeFileSync(config, JSON.stringify({ models: [{ name: MODEL, aliases: [ALIAS], source: await tinyModelPath(), context: 1024, parallel: 2, price: PRICE }] }));
  server = await startTestServer({ model: undefined, config, 'data-dir': dataDir, 'admin-key': ADMIN_KEY });
  const response = await fetch(`${server.url}/admin/v1/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'ledger' }),
  });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { key: string; id: string; name: string };
  key = { secret: created.key, id: created.id, name: created.name };
  client = new OpenAI({ baseURL: server.baseURL, apiKey: key.secret, maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The row as committed now: no waiting, since the reply's last byte waited for the commit. */
function rowOf(requestId: string | null): LedgerRow | undefined {
  return readLedger(dataDir).rows.get(requestId ?? '');
}

/** What the catalog price makes of these counts, in millionths of a dollar. */
function costMicros(prompt: number, completion: number): number {
  return Math.round(prompt * PRICE.input + completion * PRICE.output);
}

function dashscopeStream(parameters: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return callGeneration(
    server.url,
    { body: { model: ALIAS, input: { messages: ask }, parameters: { incremental_output: true, ...parameters } }, headers: { 'X-DashScope-SSE': 'enable' }, apiKey: key.secret },
    signal,
  );
}

describe('the usage ledger', () => {
  it('records a blocking request with the counts and cost its client saw, before the body is answered', async () => {
    const { data, response } = await client.chat.completions.create({ model: ALIAS, messages: ask, max_tokens: 5 }).withResponse();
    const usage = data.usage!;
    const row = rowOf(response.headers.get('x-request-id'));
    expect(row).toMatchObject({
      status: 'completed',
      key_id: key.id,
      model_requested: ALIAS,
      model_served: MODEL,
      wire: 'openai',
      stream: 0,
      n: 1,
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      cost_micros: costMicros(usage.prompt_tokens, usage.completion_tokens),
      currency: 'USD',
      finish_reason: 'length',
      error_code: null,
    });
    expect(row?.ttft_ms).not.toBeNull();
    expect(row?.duration_ms).toBeGreaterThanOrEqual(row?.ttft_ms ?? Infinity);
  });

  it('records an OpenAI stream with the counts of its usage chunk, committed before its last frame', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: MODEL, messages: ask, max_tokens: 12, n: 2, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) usage ??= chunk.usage ?? undefined;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(rowOf(response.headers.get('x-request-id'))).toMatchObject({
      status: 'completed',
      stream: 1,
      n: 2,
      prompt_tokens: usage?.prompt_tokens,
      completion_tokens: usage?.completion_tokens,
    });
  });

  it('records a DashScope stream with the counts of its last packet, committed before that packet', async () => {
    const response = await dashscopeStream({ max_tokens: 9 });
    const packets = parseSse(await response.text()).map((event) => JSON.parse(event.data) as Packet);
    const last = packets.at(-1)!;
    expect(rowOf(response.headers.get('x-request-id'))).toMatchObject({
      status: 'completed',
      wire: 'dashscope',
      stream: 1,
      prompt_tokens: last.usage.input_tokens,
      completion_tokens: last.usage.output_tokens,
    });
  });

  it('records a stream its client cancelled with what was evaluated and generated', async () => {
    const controller = new AbortController();
    const response = await dashscopeStream({ max_tokens: 400 }, controller.signal);
    const requestId = response.headers.get('x-request-id');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    let seen: Packet['usage'] | undefined;
    while (seen === undefined || seen.output_tokens < 5) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      text += value;
      const packets = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
      if (packets.length > 0) seen = (JSON.parse(packets.at(-1)!.data) as Packet).usage;
    }
    controller.abort();
    await eventually(() => rowOf(requestId)?.status === 'client_aborted');
    const row = rowOf(requestId)!;
    expect(row.prompt_tokens).toBe(seen.input_tokens);
    expect(row.completion_tokens).toBeGreaterThanOrEqual(seen.output_tokens);
    expect(row.completion_tokens).toBeLessThan(400);
    expect(row.cost_micros).toBe(costMicros(row.prompt_tokens, row.completion_tokens));
  });

  it('records a request refused before generating as an error with no tokens', async () => {
    const response = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key.secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'no-such-model', messages: ask }),
    });
    expect(response.status).toBe(404);
    expect(rowOf(response.headers.get('x-request-id'))).toMatchObject({ status: 'error', error_code: 'model_not_found', prompt_tokens: 0, completion_tokens: 0 });
  });

  it('keeps the daily totals equal to the closed rows, and no row open once every reply is done', async () => {
    await eventually(() => [...readLedger(dataDir).rows.values()].every((row) => row.status !== 'open'));
    const ledger = readLedger(dataDir);
    expect(ledger.daily).toEqual(ledger.closed);
    expect(ledger.integrity).toBe('ok');
  });
});

describe('usage', () => {
  async function usageOf(path: string, apiKey: string): Promise<Response> {
    return fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${apiKey}` } });
  }

  interface UsageBody {
    readonly data: readonly { readonly group: string; readonly requests: number; readonly prompt_tokens: number; readonly completion_tokens: number; readonly cost: number }[];
    readonly total: { readonly requests: number; readonly prompt_tokens: number; readonly completion_tokens: number; readonly cost: Record<string, number> };
  }

  it("gives a key its own usage, the admin key everyone's by key, and studio usage the same", async () => {
    await client.chat.completions.create({ model: ALIAS, messages: ask, max_tokens: 3 });
    const rows = [...readLedger(dataDir).rows.values()].filter((row) => row.key_id === key.id);
    const expected = {
      requests: rows.length,
      prompt_tokens: rows.reduce((sum, row) => sum + row.prompt_tokens, 0),
      completion_tokens: rows.reduce((sum, row) => sum + row.completion_tokens, 0),
      cost: { USD: rows.reduce((sum, row) => sum + (row.cost_micros ?? 0), 0) / 1e6 },
    };

    const own = (await (await usageOf('/v1/usage', key.secret)).json()) as UsageBody;
    expect(own.total).toMatchObject(expected);
    const compatible = (await (await usageOf('/compatible-mode/v1/usage?group_by=model', key.secret)).json()) as UsageBody;
    expect(compatible.data.map((row) => row.group)).toContain(MODEL);

    const admin = (await (await usageOf('/admin/v1/usage?group_by=key', ADMIN_KEY)).json()) as UsageBody;
    expect(admin.data.find((row) => row.group === key.name)).toMatchObject({ requests: expected.requests, prompt_tokens: expected.prompt_tokens });
    expect((await usageOf('/admin/v1/usage', key.secret)).status).toBe(403);

    const cli = await finished(studio(['usage', '--data-dir', dataDir, '--by', 'key', '--format', 'json']));
    expect(cli.code).toBe(0);
    expect((JSON.parse(cli.stdout) as UsageBody).total).toEqual(admin.total);
    const table = await finished(studio(['usage', '--data-dir', dataDir]));
    expect(table.stdout).toMatch(/│ total\s+│\s+\d+/);
  });

  it('answers a malformed query with a 400 naming the parameter', async () => {
    const response = await usageOf('/v1/usage?group_by=week', key.secret);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_parameter_error', param: 'group_by' } });
    expect((await usageOf('/admin/v1/usage?from=2026-02-30', ADMIN_KEY)).status).toBe(400);
  });
});

describe('the reply and its commit', () => {
  /** An observer whose end the test releases: what the ledger's commit is to the reply. */
  function heldObserver(): { observer: GenerationObserver; ended: () => boolean; release: () => void } {
    let ended = false;
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    return {
      observer: {
        onEnd: () => {
          ended = true;
          return held;
        },
      },
      ended: () => ended,
      release: () => release(),
    };
  }

  function appWith(observer: GenerationObserver): StudioApp {
    const logger = pino({ level: 'silent' });
    return createApp({ engine: server.pool, apiKeys: [], maxBodyBytes: 1 << 20, requestTimeoutMs: 30_000, writeTimeoutMs: 30_000, logger, observers: [observer] });
  }

  const post = (path: string, body: object, headers: Record<string, string> = {}): Request =>
    new Request(`http://studio${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  /** Lets whatever was ready go out: a reply that did not wait for the commit would be here by now. */
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

  it('answers a blocking request only once the commit is done', async () => {
    const { observer, ended, release } = heldObserver();
    let answered = false;
    const reply = Promise.resolve(appWith(observer).fetch(post('/v1/chat/completions', { model: MODEL, messages: ask, max_tokens: 3 }))).then((response) => {
      answered = true;
      return response;
    });
    await eventually(ended);
    await settle();
    expect(answered).toBe(false);
    release();
    expect((await reply).status).toBe(200);
  });

  it.each([
    ['OpenAI', '/v1/chat/completions', { model: MODEL, messages: ask, max_tokens: 3, stream: true, stream_options: { include_usage: true } }, {}, /"usage":\{"prompt_tokens"/],
    ['DashScope', '/api/v1/services/aigc/text-generation/generation', { model: MODEL, input: { messages: ask }, parameters: { max_tokens: 3 } }, { 'X-DashScope-SSE': 'enable' }, /"finish_reason":"length"/],
  ])('holds a stream\'s last frame until the commit is done (%s)', async (_wire, path, body, headers, lastFrame) => {
    const { observer, ended, release } = heldObserver();
    const response = await appWith(observer).fetch(post(path, body, headers));
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    let done = false;
    const reading = (async () => {
      for (let next = await reader.read(); !next.done; next = await reader.read()) text += next.value;
      done = true;
    })();
    await eventually(ended);
    await settle();
    expect(text).not.toMatch(lastFrame);
    expect(done).toBe(false);
    release();
    await reading;
    expect(text).toMatch(lastFrame);
  });
});
