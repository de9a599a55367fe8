import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGeneration, packetFinishReason, packetText, parseSse, type Packet } from '../support/dashscope-client.js';
import { eventually, memoryLogger, startTestServer, type TestServer } from '../support/test-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Who are you?' },
];
const greedy = { temperature: 0, seed: 7 };

describe('native DashScope text generation', () => {
  let server: TestServer;
  const logs = memoryLogger();

  beforeAll(async () => {
    server = await startTestServer({ parallel: '2', ctx: '512' }, logs.logger);
  });
  afterAll(() => server?.close());

  async function generate(body: object, headers: Record<string, string> = {}): Promise<{ response: Response; json: Packet }> {
    const response = await callGeneration(server.url, { body: { model: server.modelName, ...body }, headers });
    expect(response.status).toBe(200);
    return { response, json: (await response.json()) as Packet };
  }

  async function stream(body: object, headers: Record<string, string> = { 'X-DashScope-SSE': 'enable' }): Promise<{ raw: string; packets: Packet[]; response: Response }> {
    const response = await callGeneration(server.url, { body: { model: server.modelName, ...body }, headers });
    expect(response.status).toBe(200);
    const raw = await response.text();
    return { raw, response, packets: parseSse(raw).map((event) => JSON.parse(event.data) as Packet) };
  }

  it('answers in the text format by default, with usage and a request id', async () => {
    const { response, json } = await generate({ input: { messages }, parameters: { max_tokens: 8, ...greedy } });
    expect(Object.keys(json).sort()).toEqual(['output', 'request_id', 'usage']);
    expect(Object.keys(json.output).sort()).toEqual(['finish_reason', 'text']);
    expect(json.output.finish_reason).toBe('length');
    expect(json.request_id).toMatch(UUID);
    expect(response.headers.get('x-request-id')).toBe(json.request_id);
    const prompt = server.engine.tokenizeMessages({ messages: messages as never }).length;
    expect(json.usage).toEqual({ input_tokens: prompt, output_tokens: 8, total_tokens: prompt + 8 });
    const logged = logs.lines().filter((line) => line.requestId === json.request_id);
    expect(logged.map((line) => line.msg).sort()).toEqual(['generation', 'request']);
  });

  it('answers with choices in the message format', async () => {
    const { json } = await generate({ input: { messages }, parameters: { result_format: 'message', max_tokens: 4, ...greedy } });
    expect(json.output.choices).toEqual([{ message: { role: 'assistant', content: expect.any(String) }, finish_reason: 'length' }]);
  });

  it('gives the same text and token counts as the OpenAI-compatible mode for the same request', async () => {
    const { json } = await generate({ input: { messages }, parameters: { max_tokens: 24, ...greedy } });
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: server.modelName, messages: messages as never, max_tokens: 24, ...greedy });
    expect(packetText(json)).toBe(completion.choices[0]?.message.content);
    expect(json.usage.input_tokens).toBe(completion.usage?.prompt_tokens);
    expect(json.usage.output_tokens).toBe(completion.usage?.completion_tokens);
  });

  it('serves requests without a parameters object, as the Java SDK sends them', async () => {
    const { json } = await generate({ input: { messages: [{ role: 'user', content: 'hi' }] } });
    expect(typeof json.output.text).toBe('string');
    expect(json.usage.output_tokens).toBeGreaterThan(0);
  });

  it('turns a prompt into the last user message, after any history', async () => {
    const viaPrompt = await generate({ input: { prompt: 'Who are you?' }, parameters: { max_tokens: 6, ...greedy } });
    const viaMessages = await generate({ input: { messages: [{ role: 'user', content: 'Who are you?' }] }, parameters: { max_tokens: 6, ...greedy } });
    expect(viaPrompt.json.output).toEqual(viaMessages.json.output);
    expect(viaPrompt.json.usage.input_tokens).toBe(viaMessages.json.usage.input_tokens);

    const withHistory = await generate({ input: { history: [{ user: 'Hello', bot: 'Hi there.' }], prompt: 'Who are you?' }, parameters: { max_tokens: 6, ...greedy } });
    const asMessages = await generate({
      input: { messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi there.' }, { role: 'user', content: 'Who are you?' }] },
      parameters: { max_tokens: 6, ...greedy },
    });
    expect(withHistory.json.usage.input_tokens).toBe(asMessages.json.usage.input_tokens);
    expect(packetText(withHistory.json)).toBe(packetText(asMessages.json));
  });

  it('ignores parameters it does not know', async () => {
    const { json } = await generate({ input: { messages }, parameters: { max_tokens: 3, enable_search: false, vl_high_resolution_images: true, some_future_flag: { a: 1 } } });
    expect(json.usage.output_tokens).toBe(3);
  });

  it('honours seed, stop, repetition_penalty and presence_penalty', async () => {
    const sampled = { input: { messages }, parameters: { max_tokens: 16, temperature: 1.2, top_p: 0.9, top_k: 50, seed: 99 } };
    expect(packetText((await generate(sampled)).json)).toBe(packetText((await generate(sampled)).json));

    const free = packetText((await generate({ input: { messages }, parameters: { max_tokens: 30, ...greedy } })).json);
    const stop = free.slice(10, 13);
    const stopped = (await generate({ input: { messages }, parameters: { max_tokens: 30, stop, ...greedy } })).json;
    expect(packetText(stopped)).toBe(free.slice(0, free.indexOf(stop)));
    expect(stopped.output.finish_reason).toBe('stop');

    // The tiny model repeats itself when greedy; each penalty must change what it writes.
    for (const penalty of [{ repetition_penalty: 2 }, { presence_penalty: 2 }]) {
      const penalized = packetText((await generate({ input: { messages }, parameters: { max_tokens: 30, ...greedy, ...penalty } })).json);
      expect(penalized, JSON.stringify(penalty)).not.toBe(free);
    }
  });

  it('samples from the whole vocabulary when top_k is off (0, or above 100 as Model Studio documents)', async () => {
    const sampled = (top_k: number) => ({ input: { messages }, parameters: { max_tokens: 16, temperature: 1.5, top_p: 1, top_k, seed: 7 } });
    const off = packetText((await generate(sampled(0))).json);
    expect(packetText((await generate(sampled(0))).json)).toBe(off);
    expect(packetText((await generate(sampled(500))).json)).toBe(off);
    // top_k 1 keeps only the most likely token: what greedy decoding writes.
    const mostLikely = packetText((await generate({ input: { messages }, parameters: { max_tokens: 16, ...greedy } })).json);
    expect(packetText((await generate(sampled(1))).json)).toBe(mostLikely);
    expect(off).not.toBe(mostLikely);
  });

  it('streams with X-DashScope-SSE, framed byte for byte as the SDKs parse it', async () => {
    const { raw, response, packets } = await stream({ input: { messages }, parameters: { result_format: 'message', incremental_output: true, max_tokens: 6, ...greedy } });
    expect(response.headers.get('content-type')).toBe('text/event-stream;charset=UTF-8');
    const events = raw.split('\n\n');
    expect(events.at(-1)).toBe('');
    events.slice(0, -1).forEach((event, index) => {
      const lines = event.split('\n');
      expect(lines.slice(0, 3)).toEqual([`id:${index + 1}`, 'event:result', ':HTTP_STATUS/200']);
      expect(lines[3]).toMatch(/^data:\{/);
      expect(lines).toHaveLength(4);
    });
    expect(raw).not.toContain('[DONE]');

    // dashscope-py builds GenerationOutput(**output) and Message(**message) from every packet.
    for (const packet of packets) {
      expect(packet.output).toBeTypeOf('object');
      for (const choice of packet.output.choices ?? []) {
        expect(choice.message.role).toBe('assistant');
        expect(typeof choice.message.content).toBe('string');
      }
      expect(packet.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: expect.any(Number) });
      expect(packet.request_id).toBe(response.headers.get('x-request-id'));
    }
    expect(packets.slice(0, -1).every((packet) => packetFinishReason(packet) === 'null')).toBe(true);
    expect(packetFinishReason(packets.at(-1) as Packet)).toBe('length');
  });

  it('reads the same stream line by line, as the Java SDK does', async () => {
    const { raw } = await stream({ input: { messages }, parameters: { incremental_output: true, max_tokens: 5, ...greedy } });
    const dataLines = raw.split('\n').filter((line) => line.startsWith('data:'));
    const eventLines = raw.split('\n').filter((line) => line.startsWith('event:'));
    expect(dataLines.length).toBe(eventLines.length);
    expect(new Set(eventLines)).toEqual(new Set(['event:result']));
    const texts = dataLines.map((line) => packetText(JSON.parse(line.slice('data:'.length)) as Packet));
    const blocking = (await generate({ input: { messages }, parameters: { max_tokens: 5, ...greedy } })).json;
    expect(texts.join('')).toBe(packetText(blocking));
  });

  it('keeps running usage totals in every packet', async () => {
    const { packets } = await stream({ input: { messages }, parameters: { incremental_output: true, max_tokens: 10, ...greedy } });
    const blocking = (await generate({ input: { messages }, parameters: { max_tokens: 10, ...greedy } })).json;
    const outputs = packets.map((packet) => packet.usage.output_tokens);
    expect(outputs).toEqual([...outputs].sort((a, b) => a - b));
    expect(new Set(packets.map((packet) => packet.usage.input_tokens))).toEqual(new Set([blocking.usage.input_tokens]));
    expect(packets.at(-1)?.usage).toEqual(blocking.usage);
  });

  it('sends the whole text so far in each packet when incremental_output is false', async () => {
    const { packets } = await stream({ input: { messages }, parameters: { max_tokens: 12, ...greedy } });
    const blocking = packetText((await generate({ input: { messages }, parameters: { max_tokens: 12, ...greedy } })).json);
    const texts = packets.map(packetText);
    texts.slice(1).forEach((text, index) => expect(text.startsWith(texts[index] as string)).toBe(true));
    expect(texts.at(-1)).toBe(blocking);
  });

  it.each([
    ['an Accept header', { Accept: 'text/event-stream' }, {}],
    ['parameters.stream, as dashscope-py sends', {}, { stream: true }],
    ['a top-level stream flag', {}, { top: true }],
  ])('streams when asked by %s', async (_name, headers, flags) => {
    const parameters = { max_tokens: 3, ...greedy, ...('stream' in flags ? { stream: true } : {}) };
    const { packets, response } = await stream({ input: { messages }, parameters, ...('top' in flags ? { stream: true } : {}) }, headers);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(packets.length).toBeGreaterThan(0);
    expect(packetFinishReason(packets.at(-1) as Packet)).toBe('length');
  });

  it('stops generating when a streaming client disconnects', async () => {
    const cancelledBefore = server.engine.stats.cancelled.decode;
    const controller = new AbortController();
    const response = await callGeneration(
      server.url,
      { body: { model: server.modelName, input: { messages }, parameters: { max_tokens: 3000, incremental_output: true, ...greedy } }, headers: { 'X-DashScope-SSE': 'enable' } },
      controller.signal,
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await eventually(() => server.engine.stats.sequencesInUse === 0);
    // Cancelled while decoding, not left to run to its 3000 tokens.
    expect(server.engine.stats.cancelled.decode).toBe(cancelledBefore + 1);
  });
});
