import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGeneration, packetFinishReason, parseSse } from '../support/dashscope-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ajv = new Ajv();
const weatherParameters = { type: 'object', properties: { city: { type: 'string', maxLength: 16 } }, required: ['city'], additionalProperties: false };
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Look up the weather', parameters: weatherParameters } }];
const ask = [{ role: 'user', content: 'What is the weather in Hangzhou? Reply in JSON.' }];
const thinkingStarted = [{ role: 'user', content: 'What is 2 + 2?' }, { role: 'assistant', content: '<think>\nLet me add', partial: true }];

interface NativeMessage {
  readonly role: string;
  readonly content: string;
  readonly reasoning_content?: string;
  readonly tool_calls?: readonly { readonly index: number; readonly id: string; readonly type: string; readonly function: { readonly name: string; readonly arguments: string } }[];
}

interface NativeBody {
  readonly output: { readonly choices: readonly { readonly message: NativeMessage; readonly finish_reason: string }[] };
  readonly usage: { readonly output_tokens: number; readonly output_tokens_details?: { readonly reasoning_tokens: number } };
}

describe('generation controls on the native API', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ctx: '1024' });
  });
  afterAll(() => server?.close());

  async function generate(input: object, parameters: object, headers: Record<string, string> = {}): Promise<Response> {
    return callGeneration(server.url, { body: { model: server.modelName, input, parameters: { result_format: 'message', ...parameters } }, headers });
  }

  async function body(input: object, parameters: object): Promise<NativeBody> {
    const response = await generate(input, parameters);
    expect(response.status).toBe(200);
    return (await response.json()) as NativeBody;
  }

  it('answers json_schema with output the schema accepts', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string', maxLength: 12 }, sunny: { type: 'boolean' } }, required: ['city', 'sunny'], additionalProperties: false };
    const result = await body({ messages: ask }, { response_format: { type: 'json_schema', json_schema: { name: 'weather', schema } }, max_tokens: 200, temperature: 0.8, seed: 4 });
    const content = result.output.choices[0]?.message.content ?? '';
    expect(ajv.validate(schema, JSON.parse(content)), ajv.errorsText()).toBe(true);
  });

  it('makes a forced tool call in the shape the DashScope SDKs read', async () => {
    const result = await body({ messages: ask }, { tools, tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 100, temperature: 0 });
    const [choice] = result.output.choices;
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message).toMatchObject({ role: 'assistant', content: '' });
    const call = choice?.message.tool_calls?.[0];
    expect(call).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather' } });
    expect(ajv.validate(weatherParameters, JSON.parse(call?.function.arguments ?? '')), ajv.errorsText()).toBe(true);
  });

  it('separates a thought and caps it at thinking_budget', async () => {
    const result = await body({ messages: thinkingStarted }, { thinking_budget: 5, max_tokens: 20, temperature: 1, seed: 3 });
    const message = result.output.choices[0]?.message;
    expect(message?.reasoning_content?.length).toBeGreaterThan(0);
    expect(message?.content).not.toContain('think>');
    expect(result.usage.output_tokens_details?.reasoning_tokens).toBe(5);
  });

  it('streams reasoning first, with role and content in every packet', async () => {
    const response = await generate({ messages: thinkingStarted }, { thinking_budget: 5, max_tokens: 20, temperature: 1, seed: 3, incremental_output: true }, { 'X-DashScope-SSE': 'enable' });
    const packets = parseSse(await response.text()).map((event) => JSON.parse(event.data) as NativeBody);
    const messages = packets.map((packet) => packet.output.choices[0]?.message as NativeMessage);
    for (const message of messages) {
      expect(message.role).toBe('assistant');
      expect(typeof message.content).toBe('string');
    }
    const firstAnswer = messages.findIndex((message) => message.content !== '');
    const lastReasoning = messages.findLastIndex((message) => (message.reasoning_content ?? '') !== '');
    // The budget closes the thought after 5 tokens, leaving the rest of the 20 to the answer.
    expect(lastReasoning).toBeGreaterThanOrEqual(0);
    expect(firstAnswer).toBeGreaterThan(lastReasoning);
    expect(packetFinishReason(packets.at(-1) as never)).toBe('length');
  });

  it.each([
    ['tools with the text result format', { result_format: 'text', tools }, 'result_format'],
    ['thinking with the text result format', { result_format: 'text', enable_thinking: true }, 'result_format'],
    ['a forced tool in thinking mode', { enable_thinking: true, tools, tool_choice: 'required' }, 'tool_choice'],
  ])('rejects %s', async (_name, parameters, field) => {
    const response = await generate({ messages: ask }, parameters);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { code: string; message: string };
    expect(error.code).toBe('InvalidParameter');
    expect(error.message).toContain(field);
  });

  it('answers n times, each choice with its index', async () => {
    const result = await body({ messages: ask }, { n: 2, max_tokens: 4, temperature: 1, seed: 8 });
    expect(result.output.choices.map((choice) => (choice as { index?: number }).index)).toEqual([0, 1]);
    expect(result.usage.output_tokens).toBe(8);
  });

  it('reports logprobs in the shape dashscope-py reads', async () => {
    const result = await body({ messages: ask }, { logprobs: true, top_logprobs: 2, max_tokens: 3, temperature: 0.8, seed: 2 });
    const logprobs = (result.output.choices[0] as { logprobs?: { content: { token: string; bytes: number[]; logprob: number; top_logprobs: unknown[] }[] } }).logprobs;
    expect(logprobs?.content).toHaveLength(3);
    for (const entry of logprobs?.content ?? []) expect(entry).toEqual({ token: expect.any(String), bytes: expect.any(Array), logprob: expect.any(Number), top_logprobs: expect.any(Array) });
  });

  it('stops at token ids given as stop', async () => {
    const sampled = { max_tokens: 12, temperature: 1, seed: 9 };
    const free = await body({ messages: ask }, { ...sampled, logprobs: true });
    const tokens = ((free.output.choices[0] as { logprobs?: { content: { token: string }[] } }).logprobs?.content ?? []).map((entry) => entry.token);
    // The ids of the fourth token the model writes on its own, as the Java SDK sends stop tokens.
    const stopAt = tokens.findIndex((token, index) => index >= 3 && server.engine.tokenize(token).length === 1);
    expect(stopAt).toBeGreaterThan(0);
    const stop = server.engine.tokenize(tokens[stopAt] as string);
    const stopped = await body({ messages: ask }, { ...sampled, stop: [stop] });
    expect(stopped.output.choices[0]?.finish_reason).toBe('stop');
    const expected = tokens.slice(0, tokens.indexOf(tokens[stopAt] as string)).join('');
    expect(stopped.output.choices[0]?.message.content).toBe(expected.trim());
  });
});
