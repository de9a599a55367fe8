// An upstream that refuses a request inside a 200 stream, as vLLM does: before any chunk it is the client's HTTP 400, after some the wire's in-stream error; never retried.
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/serve.js';
import { callGeneration, packetText, parseSse, type Packet } from '../support/dashscope-client.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { startCatalogServer } from '../support/test-server.js';
import { completionsOf, endpointOf, faultOnce, readStream, upstreamModel } from '../support/upstream-catalog.js';

const REFUSAL = "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.";
const messages = [{ role: 'user' as const, content: 'Say hello.' }];

let server: RunningServer;
let client: OpenAI;
let fakes: FakeUpstream[];

beforeAll(async () => {
  fakes = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
  server = await startCatalogServer([upstreamModel('refusing', fakes.map((fake) => endpointOf(fake)))]);
  client = new OpenAI({ baseURL: `${server.url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  await Promise.all((fakes ?? []).map((fake) => fake.close()));
});

beforeEach(() => {
  for (const fake of fakes) fake.reset();
});

/** The next request meets an error object after `after` frames on whichever endpoint it reaches. */
const refuseAfter = (after: number): void => void faultOnce({ kind: 'stream-error', after, message: REFUSAL }, ...fakes);

async function dashscope(stream: boolean): Promise<Response> {
  return callGeneration(server.url, {
    body: { model: 'refusing', input: { messages }, parameters: { result_format: 'message', ...(stream ? { incremental_output: true } : {}) } },
    headers: stream ? { 'X-DashScope-SSE': 'enable' } : {},
  });
}

describe('an error object as the first event', () => {
  it.each([false, true])('is a 400 invalid_request_error with its message on the OpenAI wire (stream: %s)', async (stream) => {
    refuseAfter(0);
    const failure = await client.chat.completions.create({ model: 'refusing', messages, stream }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(400);
    expect((failure as APIError).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining(REFUSAL) });
    expect(completionsOf(...fakes)).toBe(1);
  });

  it.each([false, true])('is a 400 InvalidParameter with its message on the DashScope wire (stream: %s)', async (stream) => {
    refuseAfter(0);
    const response = await dashscope(stream);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'InvalidParameter', message: expect.stringContaining(REFUSAL) });
    expect(completionsOf(...fakes)).toBe(1);
  });
});

describe('an error object after some chunks', () => {
  it('ends an OpenAI stream with an error frame carrying its message', async () => {
    refuseAfter(3);
    const stream = await client.chat.completions.create({ model: 'refusing', messages, stream: true });
    const { text, failure } = await readStream(stream);
    expect(text).toBe('Hello world');
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining(REFUSAL) });
    expect(completionsOf(...fakes)).toBe(1);
  });

  it('ends a DashScope stream with event:error carrying its message', async () => {
    refuseAfter(3);
    const response = await dashscope(true);
    expect(response.status).toBe(200);
    const events = parseSse(await response.text());
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '{}')).toMatchObject({ code: 'InvalidParameter', message: expect.stringContaining(REFUSAL) });
    const results = events.filter((event) => event.event === 'result');
    expect(results.map((event) => packetText(JSON.parse(event.data) as Packet)).join('')).toBe('Hello world');
    expect(completionsOf(...fakes)).toBe(1);
  });
});
