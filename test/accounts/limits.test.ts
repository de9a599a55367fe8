// A stored key's limits end to end: rpm, tpm and concurrency (429 with Retry-After), its budget (a 429 not to retry), its models (403) and the x-ratelimit-* headers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyLimits } from '../../src/core/store.js';
import { openStore } from '../../src/store/open-store.js';
import { callGeneration } from '../support/dashscope-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { tinyModelPath } from '../test-model.js';

const ADMIN_KEY = 'sk-admin-limits-test';
const STATIC_KEY = 'sk-static-limits-test';
const MODEL = 'alpha';
const ALIAS = 'qwen-turbo';
const ask = [{ role: 'user' as const, content: 'Name a colour.' }];
/**
 * A stream that the client does not read stays open (and holds its key's concurrency and token
 * reservation) until it is read: its cumulative packets with logprobs are megabytes, far more than
 * the sockets buffer.
 */
const HELD_CHOICES = 2;
const HELD_MAX_TOKENS = 120;
const heldStream = {
  model: MODEL,
  input: { messages: ask },
  parameters: { n: HELD_CHOICES, max_tokens: HELD_MAX_TOKENS, logprobs: true, top_logprobs: 5, incremental_output: false, result_format: 'message', temperature: 1, seed: 3 },
};

const directory = mkdtempSync(join(tmpdir(), 'studio-limits-'));
let server: TestServer;
let keyCount = 0;

beforeAll(async () => {
  const config = join(directory, 'catalog.json');
  const price = { currency: 'USD', input: 0.05, output: 0.2 };
  writeFileSync(config, JSON.stringify({ models: [{ name: MODEL, aliases: [ALIAS], source: await tinyModelPath(), context: 1024, parallel: 2, price }] }));
  server = await startTestServer({ model: undefined, config, 'data-dir': join(directory, 'data'), 'admin-key': ADMIN_KEY, 'api-key': [STATIC_KEY] });
});

afterAll(async () => {
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** A new key with these limits, created through the admin API; its secret and id. */
async function createKey(limits: KeyLimits): Promise<{ secret: string; id: string }> {
  const response = await fetch(`${server.url}/admin/v1/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `limits-${++keyCount}`, limits }),
  });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { key: string; id: string };
  return { secret: created.key, id: created.id };
}

function chat(key: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${server.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: ask, max_tokens: 4, ...body }),
  });
}

interface ChatBody {
  readonly usage: { readonly prompt_tokens: number; readonly completion_tokens: number };
  readonly error?: { readonly code: string; readonly type: string; readonly message: string };
}

interface Attempt {
  readonly status: number;
  readonly headers: Headers;
}

/** An `openai` client that counts the HTTP attempts behind each call; `on429` runs before the SDK sees a 429. */
function countingClient(key: string, on429: () => Promise<void> = async () => {}): { client: OpenAI; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  const client = new OpenAI({
    baseURL: server.baseURL,
    apiKey: key,
    maxRetries: 3,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      // Not a clone: the SDK cancels a refused body, which a tee'd one would hold until its twin is read.
      attempts.push({ status: response.status, headers: response.headers });
      if (response.status === 429) await on429();
      return response;
    },
  });
  return { client, attempts };
}

/** Polls `condition` every 50 ms until it holds; fails once `timeoutMs` have passed, however busy the machine. */
async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`condition did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const RESET = /^(\d+h)?(\d+m)?(\d+(\.\d+)?(ms|s))$/;

describe('x-ratelimit-* headers', () => {
  it('come with blocking and streamed replies of a key with limits, on both wires', async () => {
    const { secret } = await createKey({ rpm: 50, tpm: 100_000 });
    const blocking = await chat(secret);
    expect(blocking.status).toBe(200);
    const { usage } = (await blocking.json()) as ChatBody;
    expect(blocking.headers.get('x-ratelimit-limit-requests')).toBe('50');
    expect(blocking.headers.get('x-ratelimit-remaining-requests')).toBe('49');
    expect(blocking.headers.get('x-ratelimit-reset-requests')).toMatch(RESET);
    expect(blocking.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    // Its own reservation is counted: the prompt and max_tokens.
    expect(blocking.headers.get('x-ratelimit-remaining-tokens')).toBe(String(100_000 - usage.prompt_tokens - 4));
    expect(blocking.headers.get('x-ratelimit-reset-tokens')).toMatch(RESET);

    const streamed = await chat(secret, { stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(streamed.headers.get('x-ratelimit-remaining-requests')).toBe('48');
    expect(streamed.headers.get('x-ratelimit-reset-tokens')).toMatch(RESET);
    await streamed.text();

    const native = await callGeneration(server.url, { apiKey: secret, body: { model: MODEL, input: { messages: ask }, parameters: { max_tokens: 4 } }, headers: { 'X-DashScope-SSE': 'enable' } });
    expect(native.status).toBe(200);
    expect(native.headers.get('x-ratelimit-remaining-requests')).toBe('47');
    expect(native.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    await native.text();
  });

  it('are absent for a key without limits', async () => {
    const response = await chat(STATIC_KEY);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    await response.text();
  });
});

describe('requests per minute', () => {
  it('answer a native request over the limit with Throttling.RateQuota and Retry-After', async () => {
    const { secret } = await createKey({ rpm: 1 });
    const body = { model: MODEL, input: { messages: ask }, parameters: { max_tokens: 2 } };
    const first = await callGeneration(server.url, { apiKey: secret, body });
    expect(first.status).toBe(200);
    await first.text();
    const second = await callGeneration(server.url, { apiKey: secret, body });
    expect(second.status).toBe(429);
    const error = (await second.json()) as Record<string, unknown>;
    expect(Object.keys(error).sort()).toEqual(['code', 'message', 'request_id']);
    expect(error.code).toBe('Throttling.RateQuota');
    expect(error.request_id).toBe(second.headers.get('x-request-id'));
    const retryAfter = Number(second.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(second.headers.get('x-should-retry')).toBeNull();
  });

  it('answer the OpenAI wire with limit_requests', async () => {
    const { secret } = await createKey({ rpm: 1 });
    expect((await chat(secret)).status).toBe(200);
    const refused = await chat(secret, { stream: true });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ChatBody).error?.code).toBe('limit_requests');
    expect(refused.headers.get('retry-after')).not.toBeNull();
  });
});

describe('concurrency', () => {
  it('refuses a second simultaneous request, which the openai SDK retries after Retry-After', async () => {
    const { secret } = await createKey({ concurrency: 1 });
    const held = await callGeneration(server.url, { apiKey: secret, body: heldStream, headers: { 'X-DashScope-SSE': 'enable' } });
    expect(held.status).toBe(200);

    const refused = await chat(secret);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ChatBody).error?.code).toBe('limit_requests');

    // The held stream is read to its end (its hold released) only once the SDK has been refused.
    const { client, attempts } = countingClient(secret, async () => void (await held.text()));
    const completion = await client.chat.completions.create({ model: MODEL, messages: ask, max_tokens: 2 });
    expect(completion.choices).toHaveLength(1);
    expect(attempts.map((attempt) => attempt.status)).toEqual([429, 200]);
    expect(Number(attempts[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('tokens per minute', () => {
  it('reserve the prompt and max_tokens at admission, so a burst cannot overshoot', async () => {
    const tpm = 1000;
    const { secret } = await createKey({ tpm });
    // A stream held open keeps its whole reservation: the prompt and max_tokens for each choice.
    const held = await callGeneration(server.url, { apiKey: secret, body: heldStream, headers: { 'X-DashScope-SSE': 'enable' } });
    expect(held.status).toBe(200);
    const left = Number(held.headers.get('x-ratelimit-remaining-tokens'));
    const prompt = tpm - HELD_CHOICES * HELD_MAX_TOKENS - left;
    expect(prompt).toBeGreaterThan(0);

    // Nothing has been counted after a call yet, but what is reserved leaves no room for this.
    const tooBig = await chat(secret, { max_tokens: left - prompt + 1 });
    expect(tooBig.status).toBe(429);
    expect(((await tooBig.json()) as ChatBody).error?.code).toBe('limit_requests');
    expect(Number(tooBig.headers.get('retry-after'))).toBeGreaterThan(0);
    const fits = await chat(secret, { max_tokens: left - prompt });
    expect(fits.status).toBe(200);
    expect(fits.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    await fits.text();
    await held.text();
  });

  it('settle a reservation to the tokens evaluated and generated, as the ledger has them', async () => {
    const tpm = 1000;
    const { secret, id } = await createKey({ tpm });
    const store = await openStore({ dataDir: join(directory, 'data'), instance: 'limits-test-reader' });
    try {
      // Cut just after its head, a stream that reserved the prompt and 600 tokens generates a few.
      const cut = await chat(secret, { stream: true, max_tokens: 600 });
      expect(cut.status).toBe(200);
      const prompt = tpm - 600 - Number(cut.headers.get('x-ratelimit-remaining-tokens'));
      await cut.body?.cancel();

      const today = new Date().toISOString().slice(0, 10);
      let spent = 0;
      // The daily totals take a row once it is closed.
      await until(async () => {
        const [row] = await store.usage.usage({ from: today, to: today, groupBy: 'key', keyId: id });
        spent = (row?.promptTokens ?? 0) + (row?.completionTokens ?? 0);
        return row?.requests === 1;
      });
      expect(spent).toBeLessThan(prompt + 600);
      const next = await chat(secret, { max_tokens: 1 });
      expect(next.status).toBe(200);
      expect(Number(next.headers.get('x-ratelimit-remaining-tokens'))).toBe(tpm - spent - prompt - 1);
      await next.text();
    } finally {
      await store.close();
    }
  });
});

describe('budget', () => {
  it('refuses a key whose budget is spent with insufficient_quota, which the openai SDK does not retry', async () => {
    const limits: KeyLimits = { budget: { amount: 1e-9, period: 'day' } };
    const { secret } = await createKey(limits);
    expect((await chat(secret)).status).toBe(200);
    // The spend is read from the ledger's totals and cached for a moment.
    let refused: Response | undefined;
    await until(async () => {
      const response = await chat(secret, { max_tokens: 1 });
      if (response.status === 429) refused = response;
      else await response.text();
      return refused !== undefined;
    });
    expect(refused?.headers.get('x-should-retry')).toBe('false');
    expect(refused?.headers.get('retry-after')).toBeNull();
    expect(((await refused?.json()) as ChatBody).error).toMatchObject({
      code: 'insufficient_quota',
      type: 'insufficient_quota',
      message: expect.stringContaining('budget of 1e-9 USD per day is spent') as unknown,
    });

    const { client, attempts } = countingClient(secret);
    const error = await client.chat.completions.create({ model: MODEL, messages: ask, max_tokens: 1 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    expect(attempts).toHaveLength(1);

    const native = await callGeneration(server.url, { apiKey: secret, body: { model: MODEL, input: { messages: ask } } });
    expect(native.status).toBe(429);
    expect(((await native.json()) as { code: string }).code).toBe('Throttling.AllocationQuota');
  });
});

describe('allowed models', () => {
  it('answers 403 naming a model the key may not use, and takes any name of one it may', async () => {
    const { secret } = await createKey({ models: ['some-other-model'] });
    const refused = await chat(secret);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ChatBody).error?.message).toContain(`\`${MODEL}\``);
    const native = await callGeneration(server.url, { apiKey: secret, body: { model: ALIAS, input: { messages: ask } } });
    expect(native.status).toBe(403);
    expect(((await native.json()) as { message: string }).message).toContain(`\`${ALIAS}\``);

    const { secret: byAlias } = await createKey({ models: [ALIAS] });
    const allowed = await chat(byAlias);
    expect(allowed.status).toBe(200);
    await allowed.text();
  });
});
