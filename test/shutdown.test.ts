import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GENERATION_PATH, parseSse } from './support/dashscope-client.js';
import { readLedger } from './support/ledger-rows.js';
import { finished, outputUntil, studio } from './support/studio-process.js';
import { tinyModelPath } from './test-model.js';

const CHAT_PATH = '/compatible-mode/v1/chat/completions';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const messages = [{ role: 'user', content: 'Write a very long essay.' }];
// The tiny model never ends a reply by itself: this runs far past any deadline below.
const endless = { model: 'tiny', messages, max_tokens: 15_000, temperature: 0 };

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether it went on a connection an earlier request had opened. */
  readonly reused: boolean;
}

/** One request on `agent`, so a keep-alive connection opened earlier is the one it goes on. */
function send(agent: Agent, url: string, method: string, body?: object): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = request(url, { agent, method, headers: { 'Content-Type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text, reused: call.reusedSocket }));
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

interface OpenStream {
  readonly requestId: string;
  /** The whole body once the server ends it; rejects when the connection is cut instead. */
  readonly whole: Promise<string>;
}

/** Starts a stream and reads its first bytes, so the request is admitted and generating when this resolves. */
async function openStream(url: string, body: object, headers: Record<string, string> = {}): Promise<OpenStream> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const first = await reader.read();
  const whole = (async () => {
    let text = decoder.decode(first.value, { stream: true });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    return text;
  })();
  // Read to the end whatever the test awaits, so an early failure leaves no unhandled rejection.
  whole.catch(() => {});
  return { requestId: response.headers.get('x-request-id') ?? '', whole };
}

interface Served {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly done: ReturnType<typeof finished>;
}

describe('shutdown on SIGTERM', () => {
  let model: string;
  let running: ChildProcessWithoutNullStreams | undefined;
  beforeAll(async () => {
    model = await tinyModelPath();
  });
  afterEach(() => {
    if (running?.exitCode === null) running.kill('SIGKILL');
  });

  async function serve(shutdownTimeout: number, parallel = 4, more: string[] = []): Promise<Served> {
    const child = studio(['serve', '--model', model, '--model-name', 'tiny', '--port', '0', '--threads', '1', '--ctx', '16384', '--parallel', String(parallel), '--shutdown-timeout', String(shutdownTimeout), '--keep-alive-timeout', '600', ...more]);
    running = child;
    const done = finished(child);
    const url = /listening on (http:\/\/\S+)/.exec(await outputUntil(child, /listening on http:\/\/\S+\n/))?.[1] ?? '';
    return { child, url, done };
  }

  it('keeps listening to answer 503, lets short streams finish, ends the rest with an error frame at the deadline, then exits 0', async () => {
    const { child, url, done } = await serve(4);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // A keep-alive connection that is idle when the drain begins.
    expect((await send(agent, `${url}/health`, 'GET')).status).toBe(200);

    // Sent first, so it is generating by the time the streams below have their first bytes.
    const blocking = send(new Agent(), `${url}${CHAT_PATH}`, 'POST', endless);
    const openai = await openStream(`${url}${CHAT_PATH}`, { ...endless, stream: true });
    const native = await openStream(
      `${url}${GENERATION_PATH}`,
      { model: 'tiny', input: { messages }, parameters: { max_tokens: 15_000, incremental_output: true, temperature: 0 } },
      { 'X-DashScope-SSE': 'enable' },
    );
    const short = await openStream(`${url}${CHAT_PATH}`, { ...endless, max_tokens: 24, stream: true, stream_options: { include_usage: true } });

    child.kill('SIGTERM');
    expect(await outputUntil(child, /Received SIGTERM.*\n/)).toMatch(/press Ctrl-C again to stop now/);

    // New requests, on the idle connection from before: answered, and told the connection closes.
    const refused = await send(agent, `${url}${CHAT_PATH}`, 'POST', { ...endless, max_tokens: 4 });
    expect(refused.reused).toBe(true);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.body)).toEqual({
      error: { message: expect.stringContaining('shutting down'), type: 'service_unavailable_error', param: null, code: 'model_unavailable' },
      request_id: expect.stringMatching(UUID),
    });
    const refusedNative = await send(agent, `${url}${GENERATION_PATH}`, 'POST', { model: 'tiny', input: { messages } });
    expect(refusedNative.status).toBe(503);
    expect(refusedNative.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(refusedNative.body)).toEqual({ request_id: expect.stringMatching(UUID), code: 'ModelUnavailable', message: expect.stringContaining('shutting down') });
    // The process lives (a liveness probe must not kill the drain); it is just not ready for more.
    const health = await send(agent, `${url}/health`, 'GET');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'draining' });
    const ready = await send(agent, `${url}/ready`, 'GET');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'draining' });
    // Prometheus keeps scraping through the drain: the streams still running show as running.
    const metrics = await send(agent, `${url}/metrics`, 'GET');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^vllm:num_requests_running\{model_name="tiny"\} [1-9]/m);

    // The short stream ends as it would have without the drain.
    const shortEvents = parseSse(await short.whole);
    expect(shortEvents.at(-1)?.data).toBe('[DONE]');
    const shortChunks = shortEvents.slice(0, -1).map((event) => JSON.parse(event.data) as { choices: { finish_reason: string | null }[]; usage?: { prompt_tokens: number } });
    expect(shortChunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['length']);
    const promptTokens = shortChunks.at(-1)?.usage?.prompt_tokens;
    expect(promptTokens).toBeGreaterThan(0);

    // The endless ones end at the deadline with each wire's in-stream error, not a cut connection.
    const openaiText = await openai.whole;
    expect(openaiText).not.toContain('[DONE]');
    expect(JSON.parse(parseSse(openaiText).at(-1)?.data ?? '{}')).toEqual({
      error: { message: expect.stringContaining('shutting down'), type: 'service_unavailable_error', param: null, code: 'model_unavailable' },
      request_id: openai.requestId,
    });
    const nativeLast = (await native.whole).split('\n\n').filter(Boolean).at(-1)?.split('\n') ?? [];
    expect(nativeLast.slice(1, 3)).toEqual(['event:error', ':HTTP_STATUS/503']);
    expect(JSON.parse(nativeLast[3]?.slice('data:'.length) ?? '{}')).toEqual({ request_id: native.requestId, code: 'ModelUnavailable', message: expect.stringContaining('shutting down') });

    // A request that had no byte of its answer yet gets the 503 itself.
    const cut = await blocking;
    expect(cut.status).toBe(503);
    expect(cut.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(cut.body)).toMatchObject({ error: { code: 'model_unavailable', message: expect.stringContaining('shutdown timeout') } });

    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const generations = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'generation');
    const logOf = (requestId: string): Record<string, unknown> | undefined => generations.find((line) => line.requestId === requestId);
    for (const stream of [openai, native]) {
      const line = logOf(stream.requestId);
      expect(line?.outcome).toBe('shutdown');
      // The same prompt on both wires, every token of it evaluated before the first reply token.
      expect(line?.inputTokens).toBe(promptTokens);
      expect(line?.outputTokens).toBeGreaterThan(0);
    }
    expect(logOf(short.requestId)).toMatchObject({ outcome: 'completed', inputTokens: promptTokens, outputTokens: 24 });
    expect(logOf(String(cut.headers['x-request-id']))).toMatchObject({ outcome: 'shutdown', inputTokens: promptTokens });
    agent.destroy();
  });

  it('stops at once on a second SIGTERM', async () => {
    // A deadline the test would time out long before.
    const { child, url, done } = await serve(600);
    const stream = await openStream(`${url}${CHAT_PATH}`, { ...endless, stream: true });
    child.kill('SIGTERM');
    await outputUntil(child, /Received SIGTERM.*\n/);
    // Not at once: a repeat within a second is taken for the same Ctrl-C passed on twice.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(143);
    await expect(stream.whole).rejects.toThrow();
  });

  describe('eight OpenAI SDK streams at SIGTERM, as vLLM tests its shutdown', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'studio-shutdown-'));
    });
    afterEach(() => rm(dataDir, { recursive: true, force: true }));

    interface SdkStream {
      readonly requestId: string;
      /** Every chunk once the stream ends normally; rejects with the SDK's error for an in-stream error frame. */
      readonly chunks: Promise<ChatCompletionChunk[]>;
    }

    /** Eight streams, each generating (its first chunk read) when this resolves. */
    async function eightStreams(url: string, maxTokens: number): Promise<SdkStream[]> {
      const client = new OpenAI({ baseURL: `${url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
      return Promise.all(
        Array.from({ length: 8 }, async () => {
          const { data, response } = await client.chat.completions
            .create({ model: 'tiny', messages: [{ role: 'user', content: 'Write a very long essay.' }], max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } })
            .withResponse();
          const iterator = data[Symbol.asyncIterator]();
          const first = await iterator.next();
          const chunks = (async () => {
            const all = first.done === true ? [] : [first.value];
            for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) all.push(next.value);
            return all;
          })();
          chunks.catch(() => {});
          return { requestId: response.headers.get('x-request-id') ?? '', chunks };
        }),
      );
    }

    /** SIGTERM, then what every load balancer sees at once: not ready, alive, and a new request turned away to retry elsewhere. */
    async function terminateAndCheckRefusal(child: ChildProcessWithoutNullStreams, url: string): Promise<void> {
      child.kill('SIGTERM');
      await outputUntil(child, /Received SIGTERM.*\n/);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'draining' });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const refused = await fetch(`${url}${CHAT_PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...endless, max_tokens: 4 }) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      await refused.body?.cancel();
    }

    it('lets all eight finish with their finish_reason and usage within the shutdown timeout, records them, and exits 0', async () => {
      const { child, url, done } = await serve(120, 8, ['--data-dir', dataDir]);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      const streams = await eightStreams(url, 96);
      await terminateAndCheckRefusal(child, url);

      const usages: (OpenAI.CompletionUsage | null | undefined)[] = [];
      for (const stream of streams) {
        const chunks = await stream.chunks;
        expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['length']);
        const usage = chunks.at(-1)?.usage;
        expect(usage).toMatchObject({ completion_tokens: 96, prompt_tokens: expect.any(Number) as number });
        usages.push(usage);
      }
      const result = await done;
      expect(result.code).toBe(0);
      const { rows } = readLedger(dataDir);
      streams.forEach((stream, index) =>
        expect(rows.get(stream.requestId)).toMatchObject({ status: 'completed', prompt_tokens: usages[index]?.prompt_tokens, completion_tokens: 96, stream: 1 }),
      );
    });

    it('ends all eight at a short shutdown timeout with the in-stream error frame, closes their ledger rows, and exits 0', async () => {
      const { child, url, done } = await serve(2, 8, ['--data-dir', dataDir]);
      const streams = await eightStreams(url, 15_000);
      await terminateAndCheckRefusal(child, url);

      for (const stream of streams) {
        const error = await stream.chunks.then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect(error).toBeInstanceOf(APIError);
        expect(error).toMatchObject({ code: 'model_unavailable', message: expect.stringContaining('shutting down') as string });
      }
      const result = await done;
      expect(result.code).toBe(0);
      const { rows } = readLedger(dataDir);
      for (const stream of streams) {
        // Closed as ended by the shutdown, with the tokens generated until then.
        const row = rows.get(stream.requestId);
        expect(row).toMatchObject({ status: 'error', error_code: 'shutdown', stream: 1 });
        expect(row?.completion_tokens).toBeGreaterThan(0);
      }
    });
  });
});
