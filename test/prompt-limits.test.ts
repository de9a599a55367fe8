import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGeneration, packetFinishReason, type Packet } from './support/dashscope-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// A context llama.cpp rounds up (to 256): Studio holds requests to the 64 tokens asked for.
const CONTEXT = 64;
const MAX_INPUT = CONTEXT - 1;

// Each overflowed the call stack once its tokens were spread into an array, and took seconds to tokenize.
const huge = {
  'a megabyte of repeated words': 'hello '.repeat(123_500),
  'three megabytes of one letter': 'a'.repeat(3_000_000),
  'a million Chinese characters': '你好'.repeat(500_000),
};

const outOfContext = new RegExp(`^Range of input length should be \\[1, ${MAX_INPUT}\\], got at least \\d+ tokens\\.$`);

describe('prompts against the context', () => {
  let server: TestServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startTestServer({ ctx: String(CONTEXT), parallel: '2' });
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => server?.close());

  const chat = (content: string, more: object = {}) =>
    client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content }], max_tokens: 4, temperature: 0, ...more });

  const generation = (content: string) =>
    callGeneration(server.url, { body: { model: server.modelName, input: { messages: [{ role: 'user', content }] }, parameters: { max_tokens: 4 } } });

  /** Content whose prompt is exactly `tokens` tokens long. */
  function contentOf(tokens: number): string {
    for (let words = 0; words < tokens; words++) {
      const content = 'go '.repeat(words).trim();
      const length = server.engine.tokenizeMessages({ messages: [{ role: 'user', content }] }).length;
      if (length === tokens) return content;
    }
    throw new Error(`no prompt of exactly ${tokens} tokens`);
  }

  it.each(Object.entries(huge))('refuses %s with 400 on the OpenAI-compatible wire, and answers the next request', async (_name, content) => {
    for (const stream of [false, true]) {
      const error: unknown = await chat(content, { stream }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, code: 'invalid_parameter_error', type: 'invalid_request_error', param: null });
      expect((error as APIError).error).toMatchObject({ message: expect.stringMatching(outOfContext) });
    }
    const next = await chat('hi');
    expect(next.choices[0]?.message.content).toBeTypeOf('string');
  });

  it.each(Object.entries(huge))('refuses %s with 400 on the native wire, and answers the next request', async (_name, content) => {
    const response = await generation(content);
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ request_id: response.headers.get('x-request-id'), code: 'InvalidParameter', message: expect.stringMatching(outOfContext) });
    const next = await generation('hi');
    expect(next.status).toBe(200);
    expect(((await next.json()) as Packet).usage.output_tokens).toBe(4);
  });

  it('lists the context asked for, not the one llama.cpp rounded it up to', async () => {
    const model = await client.models.retrieve(server.modelName);
    expect(model).toMatchObject({ context_length: CONTEXT, max_input_tokens: MAX_INPUT });
  });

  it('ends a reply at the context asked for, on both wires', async () => {
    const completion = await chat('hi', { max_tokens: 1000 });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0)).toBe(CONTEXT);

    const response = await callGeneration(server.url, { body: { model: server.modelName, input: { messages: [{ role: 'user', content: 'hi' }] } } });
    const packet = (await response.json()) as Packet;
    expect(packetFinishReason(packet)).toBe('length');
    expect(packet.usage.total_tokens).toBe(CONTEXT);
  });

  it('takes a prompt of one token less than the context, and refuses one of the whole context with its exact length', async () => {
    const longest = await chat(contentOf(MAX_INPUT));
    expect(longest.usage).toMatchObject({ prompt_tokens: MAX_INPUT, completion_tokens: 1 });
    expect(longest.choices[0]?.finish_reason).toBe('length');

    const error: unknown = await chat(contentOf(CONTEXT)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as APIError).error).toMatchObject({ message: `Range of input length should be [1, ${MAX_INPUT}], got ${CONTEXT} tokens.` });
  });
});
