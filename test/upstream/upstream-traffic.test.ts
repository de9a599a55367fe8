// How requests reach upstreams through the real server: a client's abort reaches the upstream, traffic follows weights and queue depth, and missing usage is not made up.
import OpenAI, { APIUserAbortError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/serve.js';
import { callGeneration, parseSse, type Packet } from '../support/dashscope-client.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { readLedger } from '../support/ledger-rows.js';
import { eventually, startCatalogServer } from '../support/test-server.js';
import { ask, endpointOf, upstreamModel } from '../support/upstream-catalog.js';

const messages = [{ role: 'user' as const, content: 'Say hello.' }];
const many = Array.from({ length: 40 }, (_, i) => `piece ${i} `);

let server: RunningServer & { readonly dataDir: string };
let client: OpenAI;
let cancel: FakeUpstream;
let light: FakeUpstream;
let heavy: FakeUpstream;
let queued: FakeUpstream;
let idle: FakeUpstream;
let silent: FakeUpstream;

beforeAll(async () => {
  [cancel, light, heavy, queued, idle, silent] = (await Promise.all(Array.from({ length: 6 }, () => startFakeUpstream()))) as FakeUpstream[] as [
    FakeUpstream,
    FakeUpstream,
    FakeUpstream,
    FakeUpstream,
    FakeUpstream,
    FakeUpstream,
  ];
  queued.setQueueDepth(20);
  silent.behave(() => ({ kind: 'reply', usage: null }));
  server = await startCatalogServer([
    // A stall is waited on, not timed out, and never retried: the client's abort is what ends it.
    upstreamModel('cancel', [endpointOf(cancel)], { firstTokenTimeout: 60, maxAttempts: 1 }),
    upstreamModel('weighted', [endpointOf(light, { weight: 1 }), endpointOf(heavy, { weight: 3 })]),
    upstreamModel('queued', [endpointOf(queued, { metrics: queued.metricsUrl }), endpointOf(idle, { metrics: idle.metricsUrl })]),
    upstreamModel('silent', [endpointOf(silent)]),
  ]);
  client = new OpenAI({ baseURL: `${server.url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([cancel, light, heavy, queued, idle, silent].map((each) => each?.close()));
});

describe('a client that goes away', () => {
  beforeEach(() => cancel.reset());

  it('aborts the upstream request stalled before its first byte', async () => {
    cancel.script({ kind: 'stall' });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'cancel', messages, stream: true }, { signal: controller.signal });
    await eventually(() => cancel.completions().length === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await eventually(() => cancel.completions()[0]!.disconnected);
  });

  it('aborts the upstream stream it was reading', async () => {
    cancel.script({ kind: 'slow', delayMs: 50, text: many });
    const stream = await client.chat.completions.create({ model: 'cancel', messages, stream: true });
    let pieces = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) pieces++;
      if (pieces === 2) break;
    }
    await eventually(() => cancel.completions()[0]!.disconnected);
  });

  it('aborts the upstream request of a blocking call', async () => {
    cancel.script({ kind: 'slow', delayMs: 50, text: many });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'cancel', messages }, { signal: controller.signal });
    await eventually(() => cancel.completions().length === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await eventually(() => cancel.completions()[0]!.disconnected);
  });

  it('aborts the upstream request of a DashScope stream', async () => {
    cancel.script({ kind: 'slow', delayMs: 50, text: many });
    const controller = new AbortController();
    const response = await callGeneration(
      server.url,
      { body: { model: 'cancel', input: { messages }, parameters: { incremental_output: true } }, headers: { 'X-DashScope-SSE': 'enable' } },
      controller.signal,
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await eventually(() => cancel.completions()[0]!.disconnected);
  });
});

describe('balancing', () => {
  beforeEach(() => {
    light.reset();
    heavy.reset();
  });

  it('prefers the endpoint whose metrics report no queue', async () => {
    // Metrics are read every second once a read succeeds, and half a minute after one fails (as a read on a loaded machine may):
    // two reads a second apart mean the first one's queue depth has been taken in.
    const reads = (): number[] => queued.requests.filter((request) => request.path === '/metrics').map((request) => request.receivedAt);
    await eventually(() => reads().some((at, index, all) => index > 0 && at - all[index - 1]! < 2_000), 40_000);
    for (let i = 0; i < 10; i++) await ask(server.url, 'queued', 'openai-stream');
    expect([queued.completions().length, idle.completions().length]).toEqual([0, 10]);
  }, 60_000);

  it('splits concurrent requests by weight, 1:3', async () => {
    for (const each of [light, heavy]) each.behave(() => ({ kind: 'slow', delayMs: 100 }));
    await Promise.all(Array.from({ length: 40 }, () => ask(server.url, 'weighted', 'openai')));
    expect(light.completions().length + heavy.completions().length).toBe(40);
    expect(heavy.completions().length).toBeGreaterThanOrEqual(24);
    expect(heavy.completions().length).toBeLessThanOrEqual(36);
  });

  it('splits one request at a time by weight, 1:3', async () => {
    for (let i = 0; i < 40; i++) await ask(server.url, 'weighted', 'openai');
    expect(heavy.completions().length).toBeGreaterThanOrEqual(24);
    expect(heavy.completions().length).toBeLessThanOrEqual(36);
  });
});

describe('an upstream that reports no usage', () => {
  it('gives an OpenAI client no made-up counts, and the ledger row says usage was not reported', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'silent', messages, stream: true, stream_options: { include_usage: true } }).withResponse();
    const usages = [];
    for await (const chunk of data) if (chunk.usage) usages.push(chunk.usage);
    for (const usage of usages) {
      expect(usage.prompt_tokens ?? null).toBeNull();
      expect(usage.completion_tokens ?? null).toBeNull();
    }
    const requestId = response.headers.get('x-request-id') ?? '';
    await eventually(() => readLedger(server.dataDir).rows.get(requestId)?.status === 'completed');
    expect(readLedger(server.dataDir).rows.get(requestId)).toMatchObject({ usage_reported: 0 });
  });

  it('gives a blocking OpenAI client no made-up counts', async () => {
    const reply = await client.chat.completions.create({ model: 'silent', messages });
    expect(reply.choices[0]?.message.content).toBe('Hello world');
    expect(reply.usage?.prompt_tokens ?? null).toBeNull();
    expect(reply.usage?.completion_tokens ?? null).toBeNull();
  });

  it('gives a DashScope client no made-up counts', async () => {
    const response = await callGeneration(server.url, { body: { model: 'silent', input: { messages }, parameters: { incremental_output: true } }, headers: { 'X-DashScope-SSE': 'enable' } });
    const packets = parseSse(await response.text()).map((event) => JSON.parse(event.data) as Packet);
    expect(packets.length).toBeGreaterThan(0);
    for (const packet of packets) {
      expect(packet.usage?.input_tokens ?? null).toBeNull();
      expect(packet.usage?.output_tokens ?? null).toBeNull();
    }
  });
});
