import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGeneration } from './support/dashscope-client.js';
import { eventually, memoryLogger, startTestServer, type TestServer } from './support/test-server.js';

const long = { messages: [{ role: 'user' as const, content: 'Write a very long essay.' }], max_tokens: 3000, temperature: 0 };

describe('many users on one model', () => {
  describe('with eight sequences', () => {
    let server: TestServer;
    let client: OpenAI;

    beforeAll(async () => {
      server = await startTestServer({ parallel: '8' });
      client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
    });
    afterAll(() => server?.close());

    it('serves eight streams at once, each with the output it has alone', async () => {
      const request = (index: number) => ({ model: server.modelName, messages: [{ role: 'user' as const, content: `Question number ${index}: why?` }], max_tokens: 24, temperature: 0.9, seed: 100 + index });
      const indexes = [0, 1, 2, 3, 4, 5, 6, 7];
      const together = await Promise.all(
        indexes.map(async (index) => {
          let text = '';
          for await (const chunk of await client.chat.completions.create({ ...request(index), stream: true })) text += chunk.choices[0]?.delta.content ?? '';
          return text;
        }),
      );
      const alone: string[] = [];
      for (const index of indexes) alone.push((await client.chat.completions.create(request(index))).choices[0]?.message.content ?? '');
      expect(together).toEqual(alone);
      expect(new Set(alone).size).toBe(8);
    });

    it('copies a long system prompt that an earlier request is evaluating instead of evaluating it again', async () => {
      const system = { role: 'system' as const, content: 'You answer questions about lighthouses with care and precision. '.repeat(40) };
      const request = (index: number) => ({ model: server.modelName, messages: [system, { role: 'user' as const, content: `Lighthouse question ${index}?` }], max_tokens: 12, temperature: 0.9, seed: 7 + index });
      const together = await Promise.all([0, 1, 2].map((index) => client.chat.completions.create(request(index))));
      const promptTokens = together[0]?.usage?.prompt_tokens ?? 0;
      expect(promptTokens).toBeGreaterThan(400);
      // One request evaluates the system prompt; the two others copy it and evaluate only their own question.
      const copied = together.map((completion) => completion.usage?.prompt_tokens_details?.cached_tokens ?? 0).sort((a, b) => a - b);
      expect(copied[0]).toBe(0);
      for (const count of copied.slice(1)) expect(count).toBeGreaterThan(promptTokens - 12);
      // A later conversation copies it from a sequence that holds it, idle now.
      const later = await client.chat.completions.create(request(3));
      expect(later.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(promptTokens - 12);
      // The copied start serves exactly as well as an evaluated one: each answer is the one a fresh server gives.
      for (const [index, completion] of together.entries()) {
        const fresh = await startTestServer({ parallel: '1' });
        try {
          const alone = await new OpenAI({ baseURL: fresh.baseURL, apiKey: 'unused', maxRetries: 0 }).chat.completions.create(request(index));
          expect(completion.choices[0]?.message.content).toBe(alone.choices[0]?.message.content);
        } finally {
          await fresh.close();
        }
      }
    });

    it('copies the whole prompt of an identical request that is still being evaluated', async () => {
      const request = { model: server.modelName, messages: [{ role: 'user' as const, content: 'Tell me about the keeper of the northern light. '.repeat(40) }], max_tokens: 6, temperature: 0 };
      const together = await Promise.all([0, 1, 2].map(() => client.chat.completions.create(request)));
      const promptTokens = together[0]?.usage?.prompt_tokens ?? 0;
      const copied = together.map((completion) => completion.usage?.prompt_tokens_details?.cached_tokens ?? 0).sort((a, b) => a - b);
      // The first evaluates it; the others copy all of it but the last token, which each evaluates with its first sampling step.
      expect(copied).toEqual([0, promptTokens - 1, promptTokens - 1]);
      expect(new Set(together.map((completion) => completion.choices[0]?.message.content)).size).toBe(1);
    });

    it('reuses the cached prompt of a conversation for its next turn, on both wires', async () => {
      const system = { role: 'system' as const, content: 'You are a helpful assistant. '.repeat(20) };
      const first = await client.chat.completions.create({ model: server.modelName, messages: [system, { role: 'user', content: 'Hello!' }], max_tokens: 8, temperature: 0 });
      const reply = first.choices[0]?.message.content ?? '';
      const history = [system, { role: 'user' as const, content: 'Hello!' }, { role: 'assistant' as const, content: reply }, { role: 'user' as const, content: 'And then?' }];
      const second = await client.chat.completions.create({ model: server.modelName, messages: history, max_tokens: 4, temperature: 0 });
      // All of the first turn's prompt but its last tokens, which the reply's own tokens may merge with.
      expect(second.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan((first.usage?.prompt_tokens ?? Infinity) - 4);

      const native = await callGeneration(server.url, { body: { model: server.modelName, input: { messages: [...history, { role: 'assistant', content: 'x' }, { role: 'user', content: 'More?' }] }, parameters: { max_tokens: 2 } } });
      const body = (await native.json()) as { usage: { prompt_tokens_details?: { cached_tokens: number } } };
      expect(body.usage.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    });

    it('reuses the whole reply a follow-up turn sends back, though its text was trimmed or would tokenize otherwise', async () => {
      const firstTurns = ['Hello!', 'Tell me a story.', 'What is a lighthouse?', 'Why is the sea salty?'].map((question) => [{ role: 'user' as const, content: question }]);
      const replies = await Promise.all(firstTurns.map((messages) => client.chat.completions.create({ model: server.modelName, messages, max_tokens: 24, temperature: 0 })));
      // Not every reply is its tokens tokenized again: the answer's outer whitespace is trimmed, pieces of characters join.
      const retokenized = replies.map((reply) => server.engine.tokenize(reply.choices[0]?.message.content ?? ''));
      expect(retokenized.some((tokens, index) => tokens.length !== replies[index]?.usage?.completion_tokens)).toBe(true);

      const followUps = await Promise.all(
        firstTurns.map((messages, index) => {
          const reply = replies[index]?.choices[0];
          const history = [...messages, { role: 'assistant' as const, content: reply?.message.content ?? '' }, { role: 'user' as const, content: 'And then?' }];
          return client.chat.completions.create({ model: server.modelName, messages: history, max_tokens: 2, temperature: 0 });
        }),
      );
      for (const [index, followUp] of followUps.entries()) {
        const first = replies[index];
        // The sequence holds the first prompt and every reply token it evaluated: all but the last, when the limit cut it.
        const evaluatedReply = (first?.usage?.completion_tokens ?? 0) - (first?.choices[0]?.finish_reason === 'length' ? 1 : 0);
        expect(followUp.usage?.prompt_tokens_details?.cached_tokens).toBe((first?.usage?.prompt_tokens ?? 0) + evaluatedReply);
      }
    });
  });

  describe('with one sequence and a queue of one', () => {
    let server: TestServer;
    let client: OpenAI;
    const logs = memoryLogger();

    beforeAll(async () => {
      server = await startTestServer({ parallel: '1', 'max-queue': '1', 'queue-timeout': '5', ctx: '8192' }, logs.logger);
      client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
    });
    afterAll(() => server?.close());

    /** A stream that holds the only sequence until it is aborted. */
    async function occupy(): Promise<{ release: () => void }> {
      const stream = await client.chat.completions.create({ model: server.modelName, ...long, stream: true });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      return { release: () => stream.controller.abort() };
    }

    it('turns the overflow away with 429 on both wires, and serves the queued request when the sequence frees', async () => {
      const busy = await occupy();
      const queued = client.chat.completions.create({ model: server.modelName, ...long, max_tokens: 3 });
      await eventually(() => server.engine.stats.phases.queued === 1);

      const overflow = await client.chat.completions.create({ model: server.modelName, ...long, max_tokens: 3 }).catch((error: unknown) => error);
      expect(overflow).toBeInstanceOf(OpenAI.RateLimitError);
      expect((overflow as APIError).code).toBe('limit_requests');
      expect(Number((overflow as APIError).headers?.get('retry-after'))).toBeGreaterThan(0);

      const native = await callGeneration(server.url, { body: { model: server.modelName, input: { prompt: 'hi' } } });
      expect(native.status).toBe(429);
      expect(native.headers.get('retry-after')).not.toBeNull();
      expect(((await native.json()) as { code: string }).code).toBe('Throttling');

      busy.release();
      expect((await queued).usage?.completion_tokens).toBe(3);
    });

    it('serves queued requests in the order they arrived', async () => {
      const quick = await startTestServer({ parallel: '1', 'max-queue': '4' });
      try {
        const quickClient = new OpenAI({ baseURL: quick.baseURL, apiKey: 'unused', maxRetries: 0 });
        const stream = await quickClient.chat.completions.create({ model: quick.modelName, ...long, stream: true });
        await stream[Symbol.asyncIterator]().next();
        const finished: string[] = [];
        const ask = (name: string) => quickClient.chat.completions.create({ model: quick.modelName, ...long, max_tokens: 2 }).then(() => finished.push(name));
        const first = ask('first');
        await eventually(() => quick.engine.stats.phases.queued === 1);
        const second = ask('second');
        await eventually(() => quick.engine.stats.phases.queued === 2);
        stream.controller.abort();
        await Promise.all([first, second]);
        expect(finished).toEqual(['first', 'second']);
      } finally {
        await quick.close();
      }
    });

    it('turns a request away with 429 once it waited past --queue-timeout', async () => {
      const impatient = await startTestServer({ parallel: '1', 'queue-timeout': '0.2' });
      try {
        const impatientClient = new OpenAI({ baseURL: impatient.baseURL, apiKey: 'unused', maxRetries: 0 });
        const stream = await impatientClient.chat.completions.create({ model: impatient.modelName, ...long, stream: true });
        await stream[Symbol.asyncIterator]().next();
        const late = await impatientClient.chat.completions.create({ model: impatient.modelName, ...long, max_tokens: 2 }).catch((error: unknown) => error);
        expect(late).toBeInstanceOf(OpenAI.RateLimitError);
        expect(impatient.engine.stats.phases.queued).toBe(0);
        stream.controller.abort();
      } finally {
        await impatient.close();
      }
    });

    it('frees the sequence of a request cancelled while its prompt is evaluated, and counts what it evaluated', async () => {
      const before = server.engine.stats.cancelled.prefill;
      const controller = new AbortController();
      const hugePrompt = 'word '.repeat(7800);
      const pending = client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: hugePrompt }], max_tokens: 5 }, { signal: controller.signal });
      await eventually(() => server.engine.stats.phases.prefill === 1, 30_000);
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
      await eventually(() => server.engine.stats.sequencesInUse === 0);
      expect(server.engine.stats.cancelled.prefill).toBe(before + 1);

      const line = await (async () => {
        await eventually(() => logs.lines().some((entry) => entry.msg === 'generation' && entry.outcome === 'client_aborted' && (entry.outputTokens as number) === 0));
        return logs.lines().findLast((entry) => entry.msg === 'generation' && entry.outcome === 'client_aborted');
      })();
      // Cancelled part-way: some of the prompt was evaluated, and only that is counted.
      expect(line?.inputTokens).toBeLessThan(7800);
      const next = await client.chat.completions.create({ model: server.modelName, ...long, max_tokens: 2 });
      expect(next.usage?.completion_tokens).toBe(2);
    });

    it('counts cancellations while queued and while generating by their phase', async () => {
      const before = server.engine.stats.cancelled;
      const busy = await occupy();
      const controller = new AbortController();
      const waiting = client.chat.completions.create({ model: server.modelName, ...long }, { signal: controller.signal });
      await eventually(() => server.engine.stats.phases.queued === 1);
      controller.abort();
      await expect(waiting).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
      busy.release();
      await eventually(() => server.engine.stats.sequencesInUse === 0);
      expect(server.engine.stats.cancelled).toEqual({ ...before, queued: before.queued + 1, decode: before.decode + 1 });
    });
  });
});
