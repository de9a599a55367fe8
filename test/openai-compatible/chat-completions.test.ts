import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('chat completions over the OpenAI-compatible API', () => {
  let server: TestServer;
  let client: OpenAI;
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Who are you?' },
  ];
  const greedy = { temperature: 0, seed: 7 } as const;

  beforeAll(async () => {
    server = await startTestServer();
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused-on-loopback', maxRetries: 0 });
  });
  afterAll(() => server?.close());

  it('answers with a chat.completion shaped as Model Studio sends it', async () => {
    const completion = await client.chat.completions.create({ model: server.modelName, messages, max_tokens: 16, ...greedy });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.id.slice('chatcmpl-'.length)).toMatch(UUID);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(server.modelName);
    expect(completion.system_fingerprint).toBeNull();
    expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(60);
    expect(completion.choices).toHaveLength(1);
    const [choice] = completion.choices;
    expect(choice?.index).toBe(0);
    expect(choice?.message.role).toBe('assistant');
    expect(typeof choice?.message.content).toBe('string');
    expect(['stop', 'length']).toContain(choice?.finish_reason);
    expect(choice?.logprobs).toBeNull();
  });

  it('counts prompt tokens exactly as the chat template tokenizes the messages', async () => {
    const completion = await client.chat.completions.create({ model: server.modelName, messages, max_tokens: 8, ...greedy });
    const expected = server.engine.tokenizeMessages({ messages: messages.map((m) => ({ role: m.role as 'system' | 'user', content: m.content as string })) }).length;
    expect(completion.usage?.prompt_tokens).toBe(expected);
    expect(completion.usage?.completion_tokens).toBe(8);
    expect(completion.usage?.total_tokens).toBe(expected + 8);
  });

  it('stops at max_tokens with finish_reason "length"', async () => {
    const completion = await client.chat.completions.create({ model: server.modelName, messages, max_tokens: 5, ...greedy });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(5);
  });

  it('gives the same output for the same seed, also when sampling', async () => {
    const request = { model: server.modelName, messages, max_tokens: 24, temperature: 1, top_p: 0.95, seed: 1234 };
    const first = await client.chat.completions.create(request);
    const second = await client.chat.completions.create(request);
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
  });

  it('gives each seeded request the same output when it runs beside others as when alone', async () => {
    const request = (topic: string) => ({ model: server.modelName, messages: [{ role: 'user' as const, content: `Tell me about ${topic}.` }], max_tokens: 24, temperature: 1, seed: 42 });
    const topics = ['the sea', 'mountains', 'rivers', 'cities'];
    // Together first, on fresh sequences; then each alone, from the prompt cache the first round left.
    const together = await Promise.all(topics.map((topic) => client.chat.completions.create(request(topic))));
    const alone: (string | null | undefined)[] = [];
    for (const topic of topics) alone.push((await client.chat.completions.create(request(topic))).choices[0]?.message.content);
    expect(together.map((completion) => completion.choices[0]?.message.content)).toEqual(alone);
  });

  it('streams chunks whose text reassembles to the blocking answer', async () => {
    const request = { model: server.modelName, messages, max_tokens: 32, ...greedy };
    const blocking = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({ ...request, stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(blocking.choices[0]?.message.content);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.usage).toBeNull();
    }
    const last = chunks.at(-1);
    expect(last?.choices[0]?.finish_reason).toBe(blocking.choices[0]?.finish_reason);
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
  });

  it('ends the stream with a usage chunk when include_usage is asked for', async () => {
    const request = { model: server.modelName, messages, max_tokens: 12, ...greedy };
    const blocking = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      prompt_tokens: blocking.usage?.prompt_tokens,
      completion_tokens: blocking.usage?.completion_tokens,
      total_tokens: blocking.usage?.total_tokens,
    });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('leaves a stop string and everything after it out of the answer', async () => {
    const free = await client.chat.completions.create({ model: server.modelName, messages, max_tokens: 40, ...greedy });
    const text = free.choices[0]?.message.content ?? '';
    // A stop string taken from the middle of what the model writes on its own.
    const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 3);
    expect(stop.length).toBe(3);
    const expected = text.slice(0, text.indexOf(stop));

    const stopped = await client.chat.completions.create({ model: server.modelName, messages, max_tokens: 40, stop, ...greedy });
    expect(stopped.choices[0]?.message.content).toBe(expected);
    expect(stopped.choices[0]?.finish_reason).toBe('stop');

    const stream = await client.chat.completions.create({ model: server.modelName, messages, max_tokens: 40, stop: [stop], stream: true, ...greedy });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(expected);
  });

  it('accepts content as an array of text parts', async () => {
    const asParts = await client.chat.completions.create({
      model: server.modelName,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Who are ' }, { type: 'text', text: 'you?' }] }],
      max_tokens: 8,
      ...greedy,
    });
    const asString = await client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'Who are you?' }], max_tokens: 8, ...greedy });
    expect(asParts.choices[0]?.message.content).toBe(asString.choices[0]?.message.content);
    expect(asParts.usage?.prompt_tokens).toBe(asString.usage?.prompt_tokens);
  });

  it('serves two simultaneous requests in full', async () => {
    const [first, second] = await Promise.all([
      client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 20, ...greedy }),
      client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'Write a poem about the sea.' }], max_tokens: 20, ...greedy }),
    ]);
    for (const completion of [first, second]) {
      expect(completion.choices[0]?.finish_reason).toBe('length');
      expect(completion.usage?.completion_tokens).toBe(20);
    }
    expect(first.usage?.prompt_tokens).not.toBe(second.usage?.prompt_tokens);
  });

  it('serves the same routes under /v1', async () => {
    const v1 = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const completion = await v1.chat.completions.create({ model: server.modelName, messages, max_tokens: 4, ...greedy });
    expect(completion.usage?.completion_tokens).toBe(4);
  });

  it('lists the served model', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toEqual([expect.objectContaining({ id: server.modelName, object: 'model', owned_by: 'studio' })]);
  });
});
