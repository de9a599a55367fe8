// The upstream engine against a real upstream (a Studio serving the tiny model): events, usage, error mapping, failover before the first chunk, and cancellation that reaches the upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/core/chat-request.js';
import type { GenerateOptions } from '../../src/core/engine.js';
import { ClientAbortedError, InvalidRequestError, ModelUnavailableError, UpstreamError } from '../../src/core/errors.js';
import type { GenerationEvent, Usage } from '../../src/core/generation-event.js';
import { UpstreamEngine } from '../../src/engines/upstream/upstream-engine.js';
import type { UpstreamEndpointOptions, UpstreamOptions } from '../../src/engines/upstream/upstream-options.js';
import { closedPort } from '../support/closed-port.js';
import { eventually, startTestServer, type TestServer } from '../support/test-server.js';

const KEY = 'sk-upstream-test-key-1234';
const weatherParameters = { type: 'object', properties: { city: { type: 'string', maxLength: 16 } }, required: ['city'], additionalProperties: false };

let upstream: TestServer;
const engines: UpstreamEngine[] = [];

beforeAll(async () => {
  upstream = await startTestServer({ 'api-key': [KEY], ctx: '1024' });
});

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.dispose()));
  await upstream?.close();
});

function endpoint(overrides: Partial<UpstreamEndpointOptions> = {}): UpstreamEndpointOptions {
  return { url: upstream.baseURL, model: upstream.modelName, apiKey: KEY, weight: 1, ...overrides };
}

function engineOf(endpoints: readonly UpstreamEndpointOptions[], overrides: Partial<UpstreamOptions> = {}): UpstreamEngine {
  const engine = new UpstreamEngine({
    name: 'remote',
    endpoints,
    affinity: false,
    contextSize: 1024,
    connectTimeoutMs: 2_000,
    firstTokenTimeoutMs: 30_000,
    healthCheckIntervalMs: 60_000,
    cooldownMs: 5_000,
    maxAttempts: 3,
    ...overrides,
  });
  engines.push(engine);
  return engine;
}

function ask(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'remote', messages: [{ role: 'user', content: 'Say hello.' }], sampling: { temperature: 0 }, stop: [], maxTokens: 8, ...overrides };
}

interface Run {
  readonly events: GenerationEvent[];
  readonly usages: Usage[];
  readonly admitted: { inputTokens: number; maxTokens: number }[];
  readonly error: unknown;
}

async function run(engine: UpstreamEngine, request: ChatRequest, options: Partial<GenerateOptions> = {}): Promise<Run> {
  const result: Run = { events: [], usages: [], admitted: [], error: undefined };
  try {
    const stream = engine.generate(request, {
      signal: new AbortController().signal,
      onUsage: (usage) => void result.usages.push(usage),
      admit: async (prompt) => void result.admitted.push(prompt),
      ...options,
    });
    for await (const event of stream) result.events.push(event);
  } catch (error) {
    return { ...result, error };
  }
  return result;
}

describe('UpstreamEngine against a Studio upstream', () => {
  let shared: UpstreamEngine | undefined;
  const engine = (): UpstreamEngine => (shared ??= engineOf([endpoint()]));

  it('lists the one model it serves under its catalog name', () => {
    expect(engine().listModels()).toEqual([{ id: 'remote', contextSize: 1024, ownedBy: 'upstream', created: expect.any(Number) }]);
  });

  it("streams start, text, the finish and the upstream's own usage, reported once, after admitting an estimate", async () => {
    const { events, usages, admitted, error } = await run(engine(), ask());
    expect(error).toBeUndefined();
    expect(events[0]).toEqual({ type: 'start', model: 'remote', inputTokens: undefined });
    expect(events.filter((event) => event.type === 'text-delta').length).toBeGreaterThan(0);
    expect(events.at(-2)).toEqual({ type: 'finish', choice: 0, finishReason: { unified: 'length', raw: 'length' } });
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'usage', usage: { inputTokens: expect.any(Number), outputTokens: 8 } });
    expect(usages).toEqual([(last as { usage: Usage }).usage]);
    expect(admitted).toEqual([{ inputTokens: expect.any(Number), maxTokens: 8 }]);
    // Conservative: never below what the upstream counted.
    expect(admitted[0]!.inputTokens).toBeGreaterThanOrEqual(usages[0]!.inputTokens!);
  });

  it('passes n and logprobs: a finish per choice and log-probabilities with alternatives', async () => {
    const { events, error } = await run(engine(), ask({ n: 2, logprobs: { topLogprobs: 2 }, sampling: { temperature: 1, seed: 3 } }));
    expect(error).toBeUndefined();
    expect(events.filter((event) => event.type === 'finish').map((event) => event.choice).sort()).toEqual([0, 1]);
    const logprobs = events.flatMap((event) => (event.type === 'logprobs' ? event.content : []));
    expect(logprobs.length).toBeGreaterThan(0);
    expect(logprobs[0]).toMatchObject({ token: expect.any(String), logprob: expect.any(Number), bytes: expect.any(Array) });
    expect(logprobs[0]!.topLogprobs).toHaveLength(2);
  });

  it('assembles a forced tool call and emits it whole before the finish', async () => {
    const { events, error } = await run(
      engine(),
      ask({ tools: [{ name: 'get_weather', parameters: weatherParameters }], toolChoice: { name: 'get_weather' }, maxTokens: 100 }),
    );
    expect(error).toBeUndefined();
    const call = events.find((event) => event.type === 'tool-call');
    expect(call).toMatchObject({ choice: 0, index: 0, call: { id: expect.any(String), name: 'get_weather' } });
    expect(JSON.parse((call as { call: { arguments: string } }).call.arguments)).toEqual({ city: expect.any(String) });
    expect(events.at(-2)).toMatchObject({ type: 'finish', finishReason: { unified: 'tool-calls' } });
  });

  it("makes the upstream's 400 an invalid request with its message, before any event", async () => {
    const { events, usages, error } = await run(engine(), ask({ n: 1000 }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/\bn\b/);
    expect(events).toEqual([]);
    expect(usages).toEqual([{ inputTokens: undefined, outputTokens: undefined }]);
  });

  it('refuses token-id stop sequences without asking the upstream', async () => {
    const { error, admitted } = await run(engine(), ask({ stopTokens: [[1, 2]] }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(admitted).toEqual([]);
  });

  it('says a refused key was refused, never quoting it, and names a model the upstream does not serve', async () => {
    const refused = await run(engineOf([endpoint({ apiKey: 'sk-wrong-key-5678' })]), ask());
    expect(refused.error).toBeInstanceOf(UpstreamError);
    expect((refused.error as Error).message).toMatch(/^The upstream for model "remote" \(127\.0\.0\.1:\d+\) refused Studio's API key\.$/);
    const missing = await run(engineOf([endpoint({ model: 'not-served' })]), ask());
    expect(missing.error).toBeInstanceOf(UpstreamError);
    expect((missing.error as Error).message).toContain('does not serve model "not-served"');
  });

  it('tries another endpoint when one refuses the connection, before the first chunk', async () => {
    const dead = endpoint({ url: `http://127.0.0.1:${await closedPort()}/v1` });
    const both = engineOf([dead, endpoint()]);
    for (let request = 0; request < 2; request++) {
      const { events, error } = await run(both, ask({ maxTokens: 2 }));
      expect(error).toBeUndefined();
      expect(events.at(-1)).toMatchObject({ type: 'usage', usage: { outputTokens: 2 } });
    }
  });

  it('answers 503 with Retry-After when no endpoint can take the request', async () => {
    const { error, usages } = await run(engineOf([endpoint({ url: `http://127.0.0.1:${await closedPort()}/v1` })]), ask());
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as ModelUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(usages).toHaveLength(1);
  });

  it("aborts the upstream's generation when the client goes away mid-stream", async () => {
    const cancelled = (): number => Object.values(upstream.engine.stats.cancelled).reduce((sum, count) => sum + count, 0);
    const before = cancelled();
    const controller = new AbortController();
    const usages: Usage[] = [];
    const events: GenerationEvent[] = [];
    let error: unknown;
    try {
      for await (const event of engine().generate(ask({ maxTokens: 900 }), { signal: controller.signal, onUsage: (usage) => void usages.push(usage) })) {
        events.push(event);
        if (event.type === 'text-delta') controller.abort();
      }
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ClientAbortedError);
    expect(events.some((event) => event.type === 'finish')).toBe(false);
    expect(usages).toEqual([{ inputTokens: undefined, outputTokens: undefined }]);
    await eventually(() => cancelled() > before);
  });

  it('closes the upstream connection when the consumer stops reading', async () => {
    const cancelled = (): number => Object.values(upstream.engine.stats.cancelled).reduce((sum, count) => sum + count, 0);
    const before = cancelled();
    const usages: Usage[] = [];
    for await (const event of engine().generate(ask({ maxTokens: 900 }), { signal: new AbortController().signal, onUsage: (usage) => void usages.push(usage) })) {
      if (event.type === 'text-delta') break;
    }
    expect(usages).toHaveLength(1);
    await eventually(() => cancelled() > before);
  });
});
