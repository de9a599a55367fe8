// Upstream failures as a client sees them through the real server: retried on another endpoint before the first byte only, mapped to the client's wire, 503 at once when nothing is up, and served by a fallback model.
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/serve.js';
import { closedPort } from '../support/closed-port.js';
import { callGeneration, parseSse } from '../support/dashscope-client.js';
import { startFakeUpstream, type FakeBehaviour, type FakeUpstream } from '../support/fake-upstream.js';
import { readLedger } from '../support/ledger-rows.js';
import { eventually, startCatalogServer } from '../support/test-server.js';
import { ask, completionsOf, endpointOf, faultOnce, readStream, upstreamModel, type Wire } from '../support/upstream-catalog.js';
import { tinyModelPath } from '../test-model.js';

const UPSTREAM_KEY = 'sk-upstream-secret-4242';
const HTML_PAGE = '<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1><hr>nginx/1.25.3</body></html>';
const messages = [{ role: 'user' as const, content: 'Say hello.' }];
/** What the slow rules below would make a client wait; an answer well inside it did not wait for them. */
const PATIENT = { connectTimeout: 10, firstTokenTimeout: 30 };

/** Faults that let another endpoint take the request, each asked on one wire. */
const retried: { name: string; fault: FakeBehaviour; wire: Wire }[] = [
  { name: 'drop', fault: { kind: 'drop' }, wire: 'openai-stream' },
  { name: 'stall', fault: { kind: 'stall' }, wire: 'dashscope-stream' },
  { name: 'stall-after-headers', fault: { kind: 'stall', headers: true }, wire: 'openai' },
  { name: '429', fault: { kind: 'status', status: 429, retryAfter: 30 }, wire: 'openai' },
  { name: '503', fault: { kind: 'status', status: 503, retryAfter: 30 }, wire: 'dashscope' },
  // A gateway in front of the server could not reach it.
  { name: '502', fault: { kind: 'status', status: 502 }, wire: 'openai-stream' },
  { name: '504', fault: { kind: 'status', status: 504 }, wire: 'dashscope-stream' },
];

let server: RunningServer & { readonly dataDir: string };
let client: OpenAI;
const fakes: FakeUpstream[] = [];
const pairs = new Map<string, FakeUpstream[]>();
let refused: FakeUpstream[];
let cut: FakeUpstream[];
let erring: FakeUpstream;
let failing: FakeUpstream[];
let unhealthy: FakeUpstream[];
let busy: FakeUpstream;

async function fakeUpstreams(count: number): Promise<FakeUpstream[]> {
  const started = await Promise.all(Array.from({ length: count }, () => startFakeUpstream()));
  fakes.push(...started);
  return started;
}

const closedUrl = async (): Promise<string> => `http://127.0.0.1:${await closedPort()}/v1`;
const endpoints = (list: readonly FakeUpstream[]): Record<string, unknown>[] => list.map((each) => endpointOf(each));

beforeAll(async () => {
  for (const { name } of retried) pairs.set(name, await fakeUpstreams(2));
  refused = await fakeUpstreams(2);
  cut = await fakeUpstreams(2);
  [erring] = (await fakeUpstreams(1)) as [FakeUpstream];
  failing = await fakeUpstreams(2);
  unhealthy = await fakeUpstreams(2);
  [busy] = (await fakeUpstreams(1)) as [FakeUpstream];
  busy.behave(() => ({ kind: 'status', status: 429, retryAfter: 30 }));
  for (const down of unhealthy) {
    down.setModelsStatus(503);
    // A request that reached it would wait out the whole first-token timeout.
    down.behave(() => ({ kind: 'stall' }));
  }
  server = await startCatalogServer([
    ...retried.map(({ name }) => upstreamModel(`retry-${name}`, endpoints(pairs.get(name)!))),
    // Checked at start-up and then not for a minute: the request itself finds the port closed.
    upstreamModel('retry-refused', endpoints(refused), { healthCheckInterval: 60 }),
    upstreamModel('cut', endpoints(cut)),
    upstreamModel('erring', [endpointOf(erring, { apiKey: UPSTREAM_KEY })]),
    upstreamModel('failing', endpoints(failing)),
    upstreamModel('down-closed', [endpointOf(await closedUrl()), endpointOf(await closedUrl())], PATIENT),
    upstreamModel('down-unhealthy', endpoints(unhealthy), PATIENT),
    upstreamModel('busy', [endpointOf(busy)]),
    upstreamModel('spill', [endpointOf(await closedUrl())], PATIENT, { fallbacks: ['tiny'] }),
    // A small context loads in a moment.
    { name: 'tiny', source: await tinyModelPath(), context: 512, parallel: 1 },
  ]);
  client = new OpenAI({ baseURL: `${server.url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  await Promise.all(fakes.map((each) => each.close()));
});

beforeEach(() => {
  for (const each of [...cut, erring]) each.reset();
});

describe('a fault before the first byte', () => {
  it.each(retried)('$name: another endpoint answers ($wire)', async ({ name, fault, wire }) => {
    const pair = pairs.get(name)!;
    const faulted = faultOnce(fault, ...pair);
    expect((await ask(server.url, `retry-${name}`, wire)).text).toBe('Hello world');
    expect(pair.map((each) => each.completions().length)).toEqual([1, 1]);
    if (fault.kind !== 'status' || fault.retryAfter === undefined) return;
    // The endpoint that said it was busy is not asked again within its Retry-After, though past the second it is skipped without one.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    for (let i = 0; i < 4; i++) expect((await ask(server.url, `retry-${name}`, wire)).text).toBe('Hello world');
    expect(faulted()?.completions()).toHaveLength(1);
    expect(completionsOf(...pair)).toBe(6);
  });

  it('stall: the upstream sees the request it stalled on given up', async () => {
    await eventually(() => pairs.get('stall')!.some((each) => each.completions()[0]?.disconnected === true));
  });

  it('connection refused: another endpoint answers', async () => {
    const [gone, good] = refused as [FakeUpstream, FakeUpstream];
    await eventually(() => gone.requests.some((request) => request.path.endsWith('/models')));
    await gone.close();
    // Equal endpoints take turns: of three requests, one at least tries the closed port first.
    for (let i = 0; i < 3; i++) expect((await ask(server.url, 'retry-refused', 'openai-stream')).text).toBe('Hello world');
    expect(good.completions()).toHaveLength(3);
  });
});

describe('a fault after the first byte', () => {
  const cutMidway: FakeBehaviour = { kind: 'cut', after: 3 };

  it('ends an OpenAI stream with its error frame, and no other endpoint is asked', async () => {
    faultOnce(cutMidway, ...cut);
    const stream = await client.chat.completions.create({ model: 'cut', messages, stream: true });
    const { text, failure } = await readStream(stream);
    expect(text).toBe('Hello world');
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).error).toMatchObject({ type: 'internal_error', code: 'model_service_failed' });
    expect(completionsOf(...cut)).toBe(1);
  });

  it('ends a DashScope stream with event:error, and no other endpoint is asked', async () => {
    faultOnce(cutMidway, ...cut);
    const response = await callGeneration(server.url, {
      body: { model: 'cut', input: { messages }, parameters: { result_format: 'message', incremental_output: true } },
      headers: { 'X-DashScope-SSE': 'enable' },
    });
    expect(response.status).toBe(200);
    const events = parseSse(await response.text());
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '{}')).toMatchObject({ code: 'ModelServiceFailed' });
    expect(events.filter((event) => event.event === 'result').length).toBeGreaterThan(0);
    expect(completionsOf(...cut)).toBe(1);
  });

  it('is a 502 for a blocking client, and no other endpoint is asked', async () => {
    faultOnce(cutMidway, ...cut);
    const failure = await client.chat.completions.create({ model: 'cut', messages }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(502);
    expect(completionsOf(...cut)).toBe(1);
  });
});

describe("an upstream's error status", () => {
  it('400 is a 400 invalid_request_error with its message on the OpenAI wire', async () => {
    erring.script({ kind: 'status', status: 400, message: "max_tokens must be at most 4096, got 99999." });
    const failure = await client.chat.completions.create({ model: 'erring', messages }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(400);
    expect((failure as APIError).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('max_tokens must be at most 4096') });
  });

  it('400 is a 400 InvalidParameter with its message on the DashScope wire', async () => {
    erring.script({ kind: 'status', status: 400, message: "max_tokens must be at most 4096, got 99999." });
    const response = await callGeneration(server.url, { body: { model: 'erring', input: { messages } } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'InvalidParameter', message: expect.stringContaining('max_tokens must be at most 4096') });
  });

  it("401 is a 502 saying the upstream refused Studio's key, quoting neither the key nor the upstream's body", async () => {
    erring.script({ kind: 'status', status: 401, message: `Incorrect API key provided: ${UPSTREAM_KEY}. Ask the cluster admins.` });
    const response = await fetch(`${server.url}/compatible-mode/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'erring', messages }),
    });
    expect(erring.completions()[0]?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(response.status).toBe(502);
    const body = await response.text();
    expect(JSON.parse(body).error.message).toMatch(/refused.*key/i);
    expect(body).not.toContain(UPSTREAM_KEY);
    expect(body).not.toContain('cluster admins');
  });

  it('500 is a 502, not retried on another endpoint, and leaves the endpoint in', async () => {
    for (const each of failing) each.reset();
    const faulted = faultOnce({ kind: 'status', status: 500, message: 'CUDA error: out of memory' }, ...failing);
    const failure = await client.chat.completions.create({ model: 'failing', messages }).catch((error: unknown) => error);
    expect((failure as APIError).status).toBe(502);
    expect(JSON.stringify((failure as APIError).error)).not.toContain('CUDA');
    expect(completionsOf(...failing)).toBe(1);
    // Equal endpoints take turns, and the one that failed still has its turn.
    for (let i = 0; i < 2; i++) expect((await ask(server.url, 'failing', 'openai')).text).toBe('Hello world');
    expect(faulted()?.completions()).toHaveLength(2);
  });

  it('500 with an HTML page is a 502 without the page', async () => {
    erring.script({ kind: 'status', status: 500, body: HTML_PAGE });
    const response = await callGeneration(server.url, { body: { model: 'erring', input: { messages } } });
    expect(response.status).toBe(502);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ code: 'ModelServiceFailed' });
    expect(body).not.toMatch(/<html|nginx|<h1>/i);
  });
});

describe('a model with no endpoint up', () => {
  async function expectUnavailableAtOnce(model: string): Promise<void> {
    const started = performance.now();
    const response = await fetch(`${server.url}/compatible-mode/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages, stream: true }),
    });
    const elapsedMs = performance.now() - started;
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ code: 'model_unavailable' });
    // Loosely timed: well inside the 30 s first-token timeout these models have.
    expect(elapsedMs).toBeLessThan(5_000);
  }

  it('answers 503 with Retry-After at once when every endpoint refuses connections', async () => {
    await expectUnavailableAtOnce('down-closed');
  });

  it('answers 503 with Retry-After at once when every endpoint fails its health check', async () => {
    // A second check of each means the first one's failure has been taken in.
    await eventually(() => unhealthy.every((each) => each.requests.filter((request) => request.path.endsWith('/models')).length >= 2));
    await expectUnavailableAtOnce('down-unhealthy');
    expect(completionsOf(...unhealthy)).toBe(0);
  });

  it("passes on its only endpoint's Retry-After when that one is busy", async () => {
    const response = await callGeneration(server.url, { body: { model: 'busy', input: { messages } } });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(25);
    expect(await response.json()).toMatchObject({ code: 'ModelUnavailable' });
    expect(busy.completions()).toHaveLength(1);
  });

  it('is served by its fallback model, and the ledger says which model served', async () => {
    const { text, requestId } = await ask(server.url, 'spill', 'dashscope');
    expect(text.length).toBeGreaterThan(0);
    await eventually(() => readLedger(server.dataDir).rows.get(requestId ?? '')?.status === 'completed');
    expect(readLedger(server.dataDir).rows.get(requestId ?? '')).toMatchObject({ model_requested: 'spill', model_served: 'tiny' });
  });
});
