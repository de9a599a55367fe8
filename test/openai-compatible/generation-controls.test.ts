import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ajv = new Ajv();
const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Look up the weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 16 }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'], additionalProperties: false },
  },
};
const clock = { type: 'function' as const, function: { name: 'current_time', description: 'The current time', parameters: { type: 'object', properties: {}, additionalProperties: false } } };
const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Hangzhou? Answer in JSON.' }];
/** Model Studio's partial mode: the model continues a reply that already opened a thought. */
const thinkingStarted = [{ role: 'user', content: 'What is 2 + 2?' }, { role: 'assistant', content: '<think>\nLet me add', partial: true }] as OpenAI.ChatCompletionMessageParam[];

describe('generation controls on the OpenAI-compatible API', () => {
  let server: TestServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startTestServer({ ctx: '1024' });
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => server?.close());

  describe('structured output', () => {
    it('answers json_object with text that parses as JSON', async () => {
      for (const seed of [1, 2, 3]) {
        const completion = await client.chat.completions.create({ model: server.modelName, messages: ask, response_format: { type: 'json_object' }, max_tokens: 200, temperature: 0.8, seed });
        expect(completion.choices[0]?.finish_reason).toBe('stop');
        expect(() => JSON.parse(completion.choices[0]?.message.content ?? '')).not.toThrow();
      }
    });

    it('answers json_schema with an object the SDK parses and the schema accepts', async () => {
      const person = z.object({ name: z.string().max(12), role: z.enum(['admin', 'user']), tags: z.array(z.string().max(6)).max(2) });
      const completion = await client.chat.completions.parse({ model: server.modelName, messages: ask, response_format: zodResponseFormat(person, 'person'), max_tokens: 200, temperature: 0.8, seed: 5 });
      const parsed = completion.choices[0]?.message.parsed;
      expect(person.safeParse(parsed).success).toBe(true);
    });

    it('rejects schema keywords it cannot enforce, naming them', async () => {
      const error = await client.chat.completions
        .create({ model: server.modelName, messages: ask, response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'object', properties: { n: { type: 'string', pattern: '^a+$' } } } } } })
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as Error).message).toContain('properties.n.pattern');
    });
  });

  describe('tools', () => {
    it('makes the call a named tool_choice asks for, with arguments that match its schema', async () => {
      const completion = await client.chat.completions.create({
        model: server.modelName,
        messages: ask,
        tools: [weather, clock],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        max_tokens: 100,
        temperature: 0,
      });
      const choice = completion.choices[0];
      expect(choice?.finish_reason).toBe('tool_calls');
      expect(choice?.message.content).toBe('');
      const call = choice?.message.tool_calls?.[0];
      expect(call).toMatchObject({ id: expect.stringMatching(/^call_[0-9a-f]+$/), type: 'function', function: { name: 'get_weather' } });
      const args: unknown = JSON.parse(call?.type === 'function' ? call.function.arguments : '');
      expect(ajv.validate(weather.function.parameters, args), ajv.errorsText()).toBe(true);
    });

    it('makes some call when tool_choice is required', async () => {
      const completion = await client.chat.completions.create({ model: server.modelName, messages: ask, tools: [weather, clock], tool_choice: 'required', max_tokens: 100, temperature: 0.7, seed: 11 });
      const call = completion.choices[0]?.message.tool_calls?.[0];
      expect(call?.type === 'function' && ['get_weather', 'current_time'].includes(call.function.name)).toBe(true);
    });

    it('streams the call as tool_calls deltas the SDK assembles', async () => {
      const stream = client.chat.completions.stream({ model: server.modelName, messages: ask, tools: [weather], tool_choice: 'required', max_tokens: 100, temperature: 0 });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0]?.message.tool_calls?.[0];
      expect(final.choices[0]?.finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' && ajv.validate(weather.function.parameters, JSON.parse(call.function.arguments))).toBe(true);
    });

    it('takes the tool result back and answers the next turn', async () => {
      const first = await client.chat.completions.create({ model: server.modelName, messages: ask, tools: [weather], tool_choice: 'required', max_tokens: 100, temperature: 0 });
      const message = first.choices[0]?.message as OpenAI.ChatCompletionMessage;
      const call = message.tool_calls?.[0] as OpenAI.ChatCompletionMessageToolCall;
      const second = await client.chat.completions.create({
        model: server.modelName,
        messages: [...ask, message, { role: 'tool', tool_call_id: call.id, content: '{"temperature": 21, "sky": "clear"}' }],
        tools: [weather],
        max_tokens: 8,
        temperature: 0,
      });
      // The next turn is a plain answer (no call), which the 8-token limit cuts.
      expect(second.choices[0]?.finish_reason).toBe('length');
      expect(second.choices[0]?.message.tool_calls ?? []).toEqual([]);
      expect(second.usage?.completion_tokens).toBe(8);
      expect(second.usage?.prompt_tokens).toBeGreaterThan(first.usage?.prompt_tokens ?? Infinity);
    });

    it('rejects a tool result that answers no call', async () => {
      const error = await client.chat.completions
        .create({ model: server.modelName, messages: [...ask, { role: 'tool', tool_call_id: 'call_nowhere', content: 'x' }], tools: [weather], max_tokens: 4 })
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    });

    it('shows the model no tools when tool_choice is none', async () => {
      const withNone = await client.chat.completions.create({ model: server.modelName, messages: ask, tools: [weather], tool_choice: 'none', max_tokens: 1 });
      const without = await client.chat.completions.create({ model: server.modelName, messages: ask, max_tokens: 1 });
      expect(withNone.usage?.prompt_tokens).toBe(without.usage?.prompt_tokens);
      const offered = await client.chat.completions.create({ model: server.modelName, messages: ask, tools: [weather], max_tokens: 1 });
      expect(offered.usage?.prompt_tokens).toBeGreaterThan(without.usage?.prompt_tokens ?? Infinity);
    });
  });

  describe('thinking', () => {
    const thinking = { messages: thinkingStarted, max_tokens: 24, temperature: 1, seed: 3, thinking_budget: 6 };

    it('puts the thought in reasoning_content and caps it at thinking_budget', async () => {
      const completion = await client.chat.completions.create({ ...thinking, model: server.modelName } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      const message = completion.choices[0]?.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
      expect(message.reasoning_content?.length).toBeGreaterThan(0);
      expect(message.content).not.toContain('think>');
      expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(6);
      expect(completion.usage?.completion_tokens).toBe(24);
    });

    it('streams the thought before the answer', async () => {
      const blocking = await client.chat.completions.create({ ...thinking, model: server.modelName } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      const stream = await client.chat.completions.create({ ...thinking, model: server.modelName, stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
      let reasoning = '';
      let content = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string | null } | undefined;
        if (delta?.reasoning_content) {
          expect(content).toBe('');
          reasoning += delta.reasoning_content;
        }
        content += delta?.content ?? '';
      }
      const message = blocking.choices[0]?.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
      expect(reasoning).toBe(message.reasoning_content);
      expect(content).toBe(message.content);
    });

    it("writes the template's no-think form when enable_thinking is false", async () => {
      const on = await client.chat.completions.create({ model: server.modelName, messages: ask, max_tokens: 1 });
      const off = await client.chat.completions.create({ model: server.modelName, messages: ask, max_tokens: 1, enable_thinking: false } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      // `<think>\n\n</think>\n\n`: four tokens of an empty thought open the reply.
      expect(off.usage?.prompt_tokens).toBe((on.usage?.prompt_tokens ?? 0) + 4);
    });
  });

  describe('several answers and logprobs', () => {
    it('answers n times from one evaluation of the prompt, counting the prompt once', async () => {
      const single = await client.chat.completions.create({ model: server.modelName, messages: ask, max_tokens: 6, temperature: 1, seed: 21 });
      const several = await client.chat.completions.create({ model: server.modelName, messages: ask, max_tokens: 6, temperature: 1, seed: 21, n: 3 });
      expect(several.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
      expect(several.choices[0]?.message.content).toBe(single.choices[0]?.message.content);
      expect(new Set(several.choices.map((choice) => choice.message.content)).size).toBe(3);
      expect(several.usage).toMatchObject({ prompt_tokens: single.usage?.prompt_tokens, completion_tokens: 18 });
    });

    it('streams n answers as chunks the SDK tells apart by index', async () => {
      const blocking = await client.chat.completions.create({ model: server.modelName, messages: ask, max_tokens: 6, temperature: 1, seed: 22, n: 2 });
      const stream = await client.chat.completions.create({ model: server.modelName, messages: ask, max_tokens: 6, temperature: 1, seed: 22, n: 2, stream: true });
      const texts = ['', ''];
      for await (const chunk of stream) for (const choice of chunk.choices) texts[choice.index] += choice.delta.content ?? '';
      expect(texts).toEqual(blocking.choices.map((choice) => choice.message.content));
    });

    it('reports each answer token with its logprob and the most likely alternatives', async () => {
      const completion = await client.chat.completions.create({ model: server.modelName, messages: ask, max_tokens: 5, temperature: 0.8, seed: 3, logprobs: true, top_logprobs: 3 });
      const content = completion.choices[0]?.logprobs?.content ?? [];
      expect(content).toHaveLength(5);
      // The answer's text is the tokens' text, less the whitespace trimmed off its ends.
      expect(content.map((entry) => entry.token).join('').trim()).toBe(completion.choices[0]?.message.content?.trim());
      for (const entry of content) {
        expect(entry.logprob).toBeLessThanOrEqual(0);
        expect(entry.top_logprobs).toHaveLength(3);
        const alternatives = entry.top_logprobs.map((alternative) => alternative.logprob);
        expect(alternatives).toEqual([...alternatives].sort((a, b) => b - a));
        expect(entry.logprob).toBeLessThanOrEqual(alternatives[0] as number);
        expect(Buffer.from(entry.bytes ?? []).toString('utf8')).toBe(entry.token);
      }
    });
  });
});
