import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, memoryLogger, startTestServer, type TestServer } from '../support/test-server.js';

describe('a client that goes away mid-generation', () => {
  let server: TestServer;
  let client: OpenAI;
  const logs = memoryLogger();
  const long = { messages: [{ role: 'user' as const, content: 'Write a very long essay.' }], max_tokens: 3000, temperature: 0 };

  beforeAll(async () => {
    // One sequence: a request only runs if the aborted one really gave its sequence back.
    server = await startTestServer({ parallel: '1' }, logs.logger);
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => server?.close());

  const generations = (): Record<string, unknown>[] => logs.lines().filter((line) => line.msg === 'generation');

  it('stops a stream at once and frees its sequence for the next request', async () => {
    const stream = await client.chat.completions.create({ model: server.modelName, ...long, stream: true });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) received++;
      if (received === 3) stream.controller.abort();
    }
    await eventually(() => server.engine.stats.sequencesInUse === 0);
    await eventually(() => generations().some((line) => line.outcome === 'client_aborted'));

    const next = await client.chat.completions.create({ model: server.modelName, ...long, max_tokens: 4 });
    expect(next.usage?.completion_tokens).toBe(4);
  });

  it('stops a blocking request whose client gave up', async () => {
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: server.modelName, ...long }, { signal: controller.signal });
    await eventually(() => server.engine.stats.sequencesInUse === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await eventually(() => server.engine.stats.sequencesInUse === 0);

    const next = await client.chat.completions.create({ model: server.modelName, ...long, max_tokens: 4 });
    expect(next.choices[0]?.finish_reason).toBe('length');
  });

  it('lets a request waiting for the sequence leave the queue', async () => {
    const busy = await client.chat.completions.create({ model: server.modelName, ...long, stream: true });
    const iterator = busy[Symbol.asyncIterator]();
    await iterator.next();
    const controller = new AbortController();
    const waiting = client.chat.completions.create({ model: server.modelName, ...long }, { signal: controller.signal });
    await eventually(() => server.engine.stats.phases.queued === 1);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await eventually(() => server.engine.stats.phases.queued === 0);
    busy.controller.abort();
    await eventually(() => server.engine.stats.sequencesInUse === 0);
  });
});
