// llama.cpp's own llama-server as a real upstream, on the tiny model: both wires, blocking and streamed, and its queue-depth metrics; skipped until it has been built.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLlamaServer } from '../../bench/llama-cpp-build.js';
import { freePort, startServerProcess, type ServerProcess } from '../../bench/server-process.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { readQueueDepth } from '../../src/engines/upstream/read-queue-depth.js';
import { chat, CHAT_MODE_NAMES, type ChatCall, type ChatTarget } from '../support/chat-modes.js';
import { startCatalogServer } from '../support/test-server.js';
import { tinyModelPath } from '../test-model.js';

const build = await findLlamaServer();
const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Hangzhou?' }];
const call = { messages: ask, max_tokens: 8, temperature: 0 } satisfies ChatCall;

const suite = build === undefined ? describe.skip : describe;
const title =
  build === undefined
    ? 'llama-server as an upstream: skipped, llama-server is not built (`npx tsx bench/llama-cpp-build.ts` builds it into .cache/llama.cpp/, several minutes the first time)'
    : 'llama-server as an upstream';

suite(title, () => {
  let llama: ServerProcess;
  let studio: RunningServer;
  let target: ChatTarget;

  beforeAll(async () => {
    const port = await freePort();
    const args = ['-m', await tinyModelPath(), '--host', '127.0.0.1', '--port', String(port), '-c', '2048', '-t', '1', '--metrics'];
    llama = await startServerProcess({ name: 'llama-server', executable: build?.serverBinary ?? '', args, port });
    studio = await startCatalogServer([{ name: 'llama-tiny', upstream: { endpoints: [{ url: `${llama.url}/v1`, model: 'tiny', weight: 1, metrics: true }] } }]);
    target = { url: studio.url, model: 'llama-tiny' };
  }, 120_000);
  afterAll(async () => {
    await studio?.close();
    await llama?.stop();
  });

  it.each(CHAT_MODE_NAMES)('answers %s with its usage', async (mode) => {
    const answer = await chat(mode, target, call);
    expect(answer.choices).toHaveLength(1);
    expect(answer.choices[0]?.finish).toBe('length');
    expect(answer.usage.completion).toBe(8);
    expect(answer.usage.prompt).toBeGreaterThan(0);
    expect(answer.usage.total).toBe(answer.usage.prompt + answer.usage.completion);
  });

  it.each(['openai', 'native'])('streams on the %s wire the greedy answer it gives blocking', async (wire) => {
    const blocking = await chat(`${wire} blocking` as 'openai blocking', target, call);
    expect(await chat(`${wire} streamed` as 'openai streamed', target, call)).toEqual(blocking);
  });

  it('exports llamacpp:requests_deferred, which the queue-depth reader reads', async () => {
    const metrics = await (await fetch(`${llama.url}/metrics`)).text();
    expect(metrics).toMatch(/^llamacpp:requests_deferred /m);
    const read = await readQueueDepth({ url: `${llama.url}/v1`, model: 'tiny', weight: 1, metricsUrl: `${llama.url}/metrics` }, 5000, AbortSignal.timeout(10_000));
    expect(read).toEqual({ depth: expect.any(Number) });
  });
});
