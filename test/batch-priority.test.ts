import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../src/core/chat-request.js';
import { PreemptedError } from '../src/core/errors.js';
import { startTestServer, type TestServer } from './support/test-server.js';

/** A batch line as the Batch API's runner sends it: straight to the engine, at batch priority. */
interface BatchLine {
  /** Resolves once the line generates, so it holds a sequence. */
  readonly generating: Promise<void>;
  /** How the line ended: the error it ended with, or 'finished'. */
  readonly ended: Promise<unknown>;
  readonly cancel: () => void;
}

describe('batch work beside live requests on a local model', () => {
  let server: TestServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startTestServer({ parallel: '2' });
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => server?.close());

  const startBatchLine = (index: number): BatchLine => {
    const controller = new AbortController();
    // No token limit: the line runs until the context is full, long past the live request.
    const request: ChatRequest = { model: server.modelName, messages: [{ role: 'user', content: `Write a very long essay, number ${index}.` }], sampling: { temperature: 0 }, stop: [] };
    let generating!: () => void;
    const started = new Promise<void>((resolve) => (generating = resolve));
    const ended = (async () => {
      try {
        for await (const event of server.pool.generate(request, { signal: controller.signal, priority: 'batch' })) if (event.type === 'text-delta') generating();
        return 'finished';
      } catch (error) {
        return error;
      }
    })();
    return { generating: started, ended, cancel: () => controller.abort() };
  };

  const stats = () => server.pool.modelStats()[0];

  it('lets batch lines use every sequence, then stops exactly one of them for a live request, which is served', async () => {
    const lines = [startBatchLine(0), startBatchLine(1)];
    await Promise.all(lines.map((line) => line.generating));
    // Batch work counts apart from the live load that routers and autoscalers read.
    expect(stats()).toMatchObject({ running: 0, waiting: 0, batchRunning: 2, batchWaiting: 0 });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`vllm:num_requests_running{model_name="${server.modelName}"} 0`);
    expect(metrics).toContain(`studio_batch_requests_running{model_name="${server.modelName}"} 2`);

    const live = await client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'Hello?' }], max_tokens: 8, stream: true });
    let chunks = 0;
    for await (const chunk of live) if (chunk.choices[0]?.delta.content) chunks++;
    expect(chunks).toBeGreaterThan(0);

    // One line gave its sequence up and ended with the error the runner retries later; the other was left to run.
    const first = await Promise.race(lines.map(async (line) => ({ line, error: await line.ended })));
    expect(first.error).toBeInstanceOf(PreemptedError);
    const other = lines.find((line) => line !== first.line);
    other?.cancel();
    expect(await other?.ended).not.toBeInstanceOf(PreemptedError);
    expect(stats()).toMatchObject({ running: 0, waiting: 0, batchRunning: 0, batchWaiting: 0 });
  });
});
