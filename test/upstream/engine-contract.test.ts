// The same end-to-end tests against a model served locally and one served by an upstream (another Studio), on both wires, blocking and streamed.
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/serve.js';
import { chat, CHAT_MODE_NAMES, type Answer, type ChatCall, type ChatTarget } from '../support/chat-modes.js';
import { callGeneration, packetText, parseSse, type Packet } from '../support/dashscope-client.js';
import { outputUntil, studio } from '../support/studio-process.js';
import { startCatalogServer, startTestServer, type TestServer } from '../support/test-server.js';
import { tinyModelPath } from '../test-model.js';

const ajv = new Ajv();
const weatherParameters = { type: 'object', properties: { city: { type: 'string', maxLength: 8 } }, required: ['city'], additionalProperties: false };
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Look up the weather of a city', parameters: weatherParameters } }];
const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Hangzhou? Answer in JSON.' }];
/** Model Studio's partial mode: the reply continues a thought already opened, so even the tiny model thinks. */
const thinkingStarted = [{ role: 'user', content: 'What is 2 + 2?' }, { role: 'assistant', content: '<think>\nLet me add', partial: true }] as OpenAI.ChatCompletionMessageParam[];
const sampled = { messages: ask, max_tokens: 12, temperature: 1, seed: 7 } satisfies ChatCall;
const greedy = { messages: ask, max_tokens: 12, temperature: 0 } satisfies ChatCall;

/**
 * A catalog entry for a model served by the Studio at `url` under `model`. Like that Studio's `--model`, it adds no
 * system prompt (a catalog entry's default is Model Studio's), so both see the same prompt.
 */
function upstreamEntry(name: string, url: string, model: string): unknown {
  return { name, defaults: { systemPrompt: null }, upstream: { endpoints: [{ url: `${url}/compatible-mode/v1`, model, weight: 1, metrics: false }] } };
}

/** The characters at `from` and after, up to `length` of them, that hold no whitespace: a stop sequence the answer surely reaches. */
function stopSequenceIn(text: string): string {
  const characters = Array.from(text);
  for (let from = 3; from + 3 <= characters.length; from++) {
    const candidate = characters.slice(from, from + 3).join('');
    if (!/\s/.test(candidate)) return candidate;
  }
  throw new Error(`no stop sequence to pick in ${JSON.stringify(text)}`);
}

// Each server starts the first time a test needs it, and serves every test of the file after that.
let local: Promise<TestServer> | undefined;
let upstream: Promise<RunningServer> | undefined;
const startLocal = (): Promise<TestServer> => (local ??= startTestServer({ ctx: '1024' }));
const startUpstream = (): Promise<RunningServer> => (upstream ??= startLocal().then((server) => startCatalogServer([upstreamEntry('remote-tiny', server.url, server.modelName)])));

afterAll(async () => {
  await (await upstream)?.close();
  await (await local)?.close();
});

const targets = {
  local: async (): Promise<ChatTarget> => {
    const server = await startLocal();
    return { url: server.url, model: server.modelName };
  },
  upstream: async (): Promise<ChatTarget> => ({ url: (await startUpstream()).url, model: 'remote-tiny' }),
};

describe.each(['local', 'upstream'] as const)('a model served by the %s engine', (kind) => {
  let served: ChatTarget;
  beforeAll(async () => {
    served = await targets[kind]();
  });
  const target = (): ChatTarget => served;

  describe.each(CHAT_MODE_NAMES)('%s', (mode) => {
    const send = (call: ChatCall): Promise<Answer> => chat(mode, target(), call);

    it('stops at max_tokens with finish reason length, counting usage exactly', async () => {
      const answer = await send(sampled);
      expect(answer.choices).toHaveLength(1);
      expect(answer.choices[0]).toMatchObject({ finish: 'length', text: expect.any(String), toolCalls: [] });
      expect(answer.usage.completion).toBe(12);
      expect(answer.usage.prompt).toBeGreaterThan(0);
      expect(answer.usage.total).toBe(answer.usage.prompt + answer.usage.completion);
    });

    it('writes the same answer twice with the same seed', async () => {
      expect(await send(sampled)).toEqual(await send(sampled));
    });

    it('ends before a stop sequence with finish reason stop', async () => {
      const call = { ...sampled, max_tokens: 24 };
      const free = (await send(call)).choices[0]?.text ?? '';
      const stop = stopSequenceIn(free);
      const stopped = await send({ ...call, stop: [stop] });
      expect(stopped.choices[0]?.finish).toBe('stop');
      expect(stopped.choices[0]?.text.trim()).toBe(free.slice(0, free.indexOf(stop)).trim());
      expect(stopped.usage.completion).toBeLessThan(24);
    });

    it('answers n = 2 times, counting both answers', async () => {
      const answer = await send({ ...sampled, max_tokens: 4, n: 2 });
      expect(answer.choices.map((choice) => choice.finish)).toEqual(['length', 'length']);
      expect(answer.usage.completion).toBe(8);
    });

    it('gives a logprob for every token', async () => {
      const answer = await send({ ...sampled, max_tokens: 5, logprobs: true, top_logprobs: 2 });
      expect(answer.choices[0]?.logprobTokens).toBe(5);
    });

    it('answers json_object with text that parses as JSON', async () => {
      const answer = await send({ messages: ask, max_tokens: 200, temperature: 0.8, seed: 1, response_format: { type: 'json_object' } });
      expect(answer.choices[0]?.finish).toBe('stop');
      expect(() => JSON.parse(answer.choices[0]?.text ?? '')).not.toThrow();
    });

    it('makes a tool call with arguments its schema accepts when tool_choice is required', async () => {
      const answer = await send({ messages: ask, max_tokens: 100, temperature: 0, tools, tool_choice: 'required' });
      expect(answer.choices[0]?.finish).toBe('tool_calls');
      const [call] = answer.choices[0]?.toolCalls ?? [];
      expect(call?.name).toBe('get_weather');
      expect(ajv.validate(weatherParameters, JSON.parse(call?.arguments ?? '')), ajv.errorsText()).toBe(true);
    });

    it('returns reasoning_content when the model thinks, and none when thinking is off', async () => {
      const thinking = await send({ messages: thinkingStarted, max_tokens: 12, temperature: 1, seed: 3 });
      expect(thinking.choices[0]?.reasoning.length).toBeGreaterThan(0);
      const plain = await send({ ...sampled, enable_thinking: false });
      expect(plain.choices[0]?.reasoning).toBe('');
      expect(plain.choices[0]?.text.length).toBeGreaterThan(0);
    });
  });

  it.each(['openai', 'native'])('streams on the %s wire the answer and usage it gives blocking', async (wire) => {
    const blocking = await chat(`${wire} blocking` as 'openai blocking', target(), sampled);
    expect(await chat(`${wire} streamed` as 'openai streamed', target(), sampled)).toEqual(blocking);
  });

  it('sends the whole text so far in each native packet when incremental_output is off', async () => {
    const { url, model } = target();
    const body = { model, input: { messages: ask }, parameters: { ...sampled, messages: undefined, incremental_output: false } };
    const response = await callGeneration(url, { body, headers: { 'X-DashScope-SSE': 'enable' } });
    const texts = parseSse(await response.text()).map((event) => packetText(JSON.parse(event.data) as Packet));
    expect(texts.length).toBeGreaterThan(1);
    texts.slice(1).forEach((text, index) => expect(text.startsWith(texts[index] as string)).toBe(true));
    const blocking = await callGeneration(url, { body: { ...body, parameters: { ...body.parameters, incremental_output: undefined } } });
    expect(texts.at(-1)).toBe(packetText((await blocking.json()) as Packet));
  });
});

describe('an upstream-backed model answers as its upstream does', () => {
  const calls = { greedy, 'sampled with a seed': sampled };
  it.each(CHAT_MODE_NAMES.flatMap((mode) => Object.entries(calls).map(([name, call]) => [mode, name, call] as const)))('%s, %s', async (mode, _name, call) => {
    const [direct, proxied] = await Promise.all([targets.local(), targets.upstream()]);
    expect(await chat(mode, proxied, call)).toEqual(await chat(mode, direct, call));
  });
});

describe('a Studio process as the upstream', () => {
  let child: ReturnType<typeof studio>;
  let front: RunningServer;
  let client: OpenAI;

  beforeAll(async () => {
    child = studio(['serve', '--model', await tinyModelPath(), '--model-name', 'tiny', '--port', '0', '--ctx', '1024', '--threads', '1']);
    const banner = await outputUntil(child, /listening on http:\S+/);
    const url = /listening on (http:\S+)/.exec(banner)?.[1] as string;
    front = await startCatalogServer([upstreamEntry('remote-tiny', url, 'tiny')]);
    client = new OpenAI({ baseURL: `${front.url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await front?.close();
    child?.kill('SIGTERM');
  });

  it('answers a blocking request through the openai SDK', async () => {
    const completion = await client.chat.completions.create({ model: 'remote-tiny', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8 });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(8);
  });

  it('streams a request through the openai SDK, usage last', async () => {
    const stream = client.chat.completions.stream({ model: 'remote-tiny', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8, stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('length');
    expect(final.usage?.completion_tokens).toBe(8);
  });
});
