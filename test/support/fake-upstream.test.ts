// The tests' fake upstream speaks OpenAI's wire as the openai SDK reads it, and sees a client go away.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { eventually } from './test-server.js';

describe('fake upstream', () => {
  let upstream: FakeUpstream;
  let client: OpenAI;
  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: 'k' });
    client = new OpenAI({ baseURL: upstream.url, apiKey: 'k', maxRetries: 0 });
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  it('streams chunks with a final usage chunk, and answers a blocking request', async () => {
    upstream.script({ kind: 'reply', text: ['a', 'b'], reasoning: ['r'] });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('ab');
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    const reply = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(reply.choices[0]?.message.content).toBe('Hello world');
    expect(upstream.completions().map((request) => request.headers.authorization)).toEqual(['Bearer k', 'Bearer k']);
  });

  it('refuses a wrong key, answers a scripted status with Retry-After, and serves metrics', async () => {
    await expect(new OpenAI({ baseURL: upstream.url, apiKey: 'x', maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
    upstream.script({ kind: 'status', status: 429, retryAfter: 3 });
    const response = await fetch(`${upstream.url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{"model":"m"}' });
    expect([response.status, response.headers.get('retry-after')]).toEqual([429, '3']);
    upstream.setQueueDepth(4);
    expect(await (await fetch(upstream.metricsUrl)).text()).toContain('vllm:num_requests_waiting{model_name="fake"} 4');
  });

  it('records a client that goes away from a stall, but not a cut of its own', async () => {
    upstream.script({ kind: 'stall' }, { kind: 'cut', after: 2 });
    const abort = new AbortController();
    const pending = client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal: abort.signal });
    await eventually(() => upstream.completions().length === 1);
    abort.abort();
    await expect(pending).rejects.toThrow();
    await eventually(() => upstream.completions()[0]!.disconnected);
    const cut = await client.chat.completions.create({ model: 'm', messages: [], stream: true });
    const texts: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of cut) texts.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(texts).toEqual(['', 'Hello']);
    expect(upstream.completions()[1]!.disconnected).toBe(false);
  });
});
