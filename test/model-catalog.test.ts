// Several models from a config file: names and aliases, catalog limits and defaults, prices, loading and unloading.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawFlags } from '../src/config/load-options.js';
import { callGeneration } from './support/dashscope-client.js';
import { eventually, memoryLogger, startCatalogServer, startTestServer, type TestServer } from './support/test-server.js';
import { tinyModelPath } from './test-model.js';

const directory = mkdtempSync(join(tmpdir(), 'studio-catalog-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
// Seeded sampling: the same request draws the same tokens, and the tiny models' greedy replies are mostly blank.
const seeded = { temperature: 1, seed: 7, max_tokens: 8 } as const;
const ask = [{ role: 'user' as const, content: 'Name a colour.' }];

interface Models {
  readonly alpha: string;
  readonly beta: string;
}

let files: Models;

/** A config file serving the tiny model as `alpha` and a differently seeded one as `beta`. */
function catalogFile(extra: Readonly<Record<string, unknown>>[] = [{}, {}], options: Readonly<Record<string, unknown>> = {}): string {
  const path = join(directory, `catalog-${Math.random().toString(36).slice(2)}.json`);
  const models = [
    {
      name: 'alpha',
      aliases: ['qwen-turbo'],
      source: files.alpha,
      context: 512,
      maxOutputTokens: 40,
      price: { currency: 'USD', input: 0.05, output: 0.2, thinkingOutput: 1 },
      parallel: 2,
      thinking: { supported: true, default: 'off' },
      ...extra[0],
    },
    { name: 'beta', aliases: ['qwen-plus'], source: files.beta, context: 512, parallel: 2, thinking: { supported: true, default: 'off' }, ...extra[1] },
  ];
  writeFileSync(path, JSON.stringify({ models, ...options }));
  return path;
}

async function serve(flags: RawFlags, logger?: ReturnType<typeof memoryLogger>['logger']): Promise<TestServer & { client: OpenAI }> {
  // The config file names the models; the test server's own default --model must not.
  const server = await startTestServer({ model: undefined, ...flags }, logger);
  return Object.assign(server, { client: new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 }) });
}

async function answer(client: OpenAI, model: string): Promise<string> {
  const completion = await client.chat.completions.create({ model, messages: ask, ...seeded });
  return completion.choices[0]?.message.content ?? '';
}

beforeAll(async () => {
  files = { alpha: await tinyModelPath(), beta: await tinyModelPath(2) };
});

describe('a catalog of two models', () => {
  let server: TestServer & { client: OpenAI };
  const log = memoryLogger();
  beforeAll(async () => {
    server = await serve({ config: catalogFile() }, log.logger);
  });
  afterAll(() => server.close());

  it('lists every model with its catalog facts, in a shape the openai SDK reads', async () => {
    const models = [];
    for await (const model of server.client.models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual(['alpha', 'beta']);
    expect(models[0]).toMatchObject({
      object: 'model',
      owned_by: 'studio',
      aliases: ['qwen-turbo'],
      context_length: 512,
      max_output_tokens: 40,
      max_input_tokens: 511,
      pricing: { currency: 'USD', unit: 'per_million_tokens', tiers: [{ max_input_tokens: null, input: 0.05, output: 0.2, thinking_output: 1 }] },
      capabilities: { thinking: true, thinking_default: 'off', vision: false },
      status: 'unloaded',
      loaded: false,
    });
    expect(models[1]).toMatchObject({ aliases: ['qwen-plus'], max_output_tokens: null, pricing: null });

    const byAlias = await server.client.models.retrieve('qwen-plus');
    expect(byAlias.id).toBe('beta');
    const missing = await server.client.models.retrieve('qwen-max').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing).toMatchObject({ code: 'model_not_found' });
  });

  it('sends a request by alias to the model the alias names, on both wires', async () => {
    const [alpha, beta, turbo, plus] = [await answer(server.client, 'alpha'), await answer(server.client, 'beta'), await answer(server.client, 'qwen-turbo'), await answer(server.client, 'qwen-plus')];
    expect(alpha).not.toBe(beta);
    expect(turbo).toBe(alpha);
    expect(plus).toBe(beta);
    const native = await callGeneration(server.url, { body: { model: 'qwen-plus', input: { messages: ask }, parameters: { temperature: 1, seed: 7, max_tokens: 8 } } });
    expect(native.status).toBe(200);
    expect(((await native.json()) as { output: { text: string } }).output.text).toBe(beta);
    expect(server.pool.stats('alpha')).toMatchObject({ state: 'loaded', loads: 1 });
    expect(server.pool.stats('beta')).toMatchObject({ state: 'loaded', loads: 1 });
  });

  it('puts the default system prompt before a request that has none', async () => {
    const withDefault = await server.client.chat.completions.create({ model: 'alpha', messages: ask, ...seeded });
    const explicit = await server.client.chat.completions.create({ model: 'alpha', messages: [{ role: 'system', content: 'You are a helpful assistant.' }, ...ask], ...seeded });
    expect(withDefault.usage?.prompt_tokens).toBe(explicit.usage?.prompt_tokens);
    expect(withDefault.choices[0]?.message.content).toBe(explicit.choices[0]?.message.content);
    const own = await server.client.chat.completions.create({ model: 'alpha', messages: [{ role: 'system', content: 'Be brief.' }, ...ask], ...seeded });
    expect(own.usage?.prompt_tokens).toBeLessThan(explicit.usage?.prompt_tokens ?? 0);
  });

  it('refuses max_tokens beyond the model maximum output on both wires', async () => {
    const error = await server.client.chat.completions.create({ model: 'qwen-turbo', messages: ask, max_tokens: 41 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ code: 'invalid_parameter_error', param: 'max_tokens', message: expect.stringContaining('Range of max_tokens should be [1, 40]') });
    const native = await callGeneration(server.url, { body: { model: 'alpha', input: { messages: ask }, parameters: { max_tokens: 41 } } });
    expect(native.status).toBe(400);
    expect(await native.json()).toMatchObject({ code: 'InvalidParameter', message: 'Range of max_tokens should be [1, 40]' });
    // Without max_tokens the reply stops at the model's maximum output.
    const long = await server.client.chat.completions.create({ model: 'alpha', messages: ask, temperature: 0, stop: [] });
    expect(long.usage?.completion_tokens).toBeLessThanOrEqual(40);
  });

  it('prices each generation from the catalog in the request log line', async () => {
    const completion = await server.client.chat.completions.create({ model: 'qwen-turbo', messages: ask, ...seeded });
    const usage = completion.usage;
    await eventually(() => log.lines().some((line) => line.msg === 'generation' && line.model === 'qwen-turbo' && line.outputTokens === usage?.completion_tokens));
    const lines = log.lines().filter((line) => line.msg === 'generation');
    const priced = lines.findLast((line) => line.model === 'qwen-turbo');
    const expected = ((usage?.prompt_tokens ?? 0) * 0.05 + (usage?.completion_tokens ?? 0) * 0.2) / 1e6;
    expect(priced).toMatchObject({ currency: 'USD' });
    expect(priced?.cost).toBeCloseTo(expected, 12);
    // beta has no price, so its lines carry none.
    await server.client.chat.completions.create({ model: 'beta', messages: ask, ...seeded });
    await eventually(() => log.lines().some((line) => line.msg === 'generation' && line.model === 'beta'));
    expect(log.lines().find((line) => line.msg === 'generation' && line.model === 'beta')?.cost).toBeUndefined();
  });
});

describe('a catalog of a local model and an upstream one', () => {
  let remote: TestServer;
  let server: Awaited<ReturnType<typeof startCatalogServer>>;
  let client: OpenAI;
  const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
  beforeAll(async () => {
    remote = await startTestServer();
    server = await startCatalogServer([
      { name: 'alpha', aliases: ['qwen-turbo'], source: files.alpha, context: 512 },
      { name: 'remote-tiny', aliases: ['qwen-plus'], upstream: { endpoints: [{ url: `${remote.url}/compatible-mode/v1`, model: remote.modelName, metrics: false }] }, context: 512 },
    ]);
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
    await remote.close();
  });

  it('lists both kinds alike and answers from the upstream on both wires', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => [model.id, (model as unknown as { aliases: string[] }).aliases])).toEqual([
      ['alpha', ['qwen-turbo']],
      ['remote-tiny', ['qwen-plus']],
    ]);
    const completion = await client.chat.completions.create({ model: 'qwen-plus', messages: ask, ...seeded });
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    const native = await callGeneration(server.url, { body: { model: 'remote-tiny', input: { messages: ask }, parameters: { ...seeded } } });
    expect(native.status).toBe(200);
    expect(await native.json()).toMatchObject({ usage: { output_tokens: completion.usage?.completion_tokens } });
  });

  it('refuses images to a model not marked vision, naming it', async () => {
    const error = await client.chat.completions
      .create({ model: 'qwen-turbo', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] }], max_tokens: 4 })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ message: expect.stringContaining('Model "qwen-turbo" does not accept images; send images to a model marked "vision: true".') });
  });
});

describe('loading and unloading', () => {
  it('keeps at most --max-models loaded, unloading the least recently used', async () => {
    const server = await serve({ config: catalogFile(), 'max-models': '1' });
    try {
      await answer(server.client, 'alpha');
      expect(server.pool.stats('alpha')).toMatchObject({ state: 'loaded', loads: 1 });
      await answer(server.client, 'beta');
      expect(server.pool.stats('alpha')).toMatchObject({ state: 'unloaded', unloads: 1 });
      expect(server.pool.stats('beta')).toMatchObject({ state: 'loaded', loads: 1 });
      await answer(server.client, 'qwen-turbo');
      expect(server.pool.stats('alpha')).toMatchObject({ state: 'loaded', loads: 2 });
      expect(server.pool.stats('beta')).toMatchObject({ state: 'unloaded', unloads: 1 });
    } finally {
      await server.close();
    }
  });

  it('loads a model once for concurrent first requests', async () => {
    const server = await serve({ config: catalogFile() });
    try {
      const answers = await Promise.all([1, 2, 3, 4].map(() => answer(server.client, 'qwen-plus')));
      expect(new Set(answers).size).toBe(1);
      expect(server.pool.stats('beta')).toMatchObject({ state: 'loaded', loads: 1, active: 0 });
    } finally {
      await server.close();
    }
  });

  it('unloads a model left idle for --idle-unload seconds, and loads it again when asked', async () => {
    const server = await serve({ config: catalogFile(), 'idle-unload': '1' });
    try {
      await answer(server.client, 'alpha');
      expect(server.pool.stats('alpha').state).toBe('loaded');
      await eventually(() => server.pool.stats('alpha').state === 'unloaded');
      await answer(server.client, 'alpha');
      expect(server.pool.stats('alpha')).toMatchObject({ state: 'loaded', loads: 2, unloads: 1 });
    } finally {
      await server.close();
    }
  });

  it('loads pinned models at start-up and never unloads them for another', async () => {
    const server = await serve({ config: catalogFile([{ pinned: true }, {}]), 'max-models': '1', 'idle-unload': '1' });
    try {
      expect(server.pool.stats('alpha')).toMatchObject({ state: 'loaded', loads: 1 });
      const error = await server.client.chat.completions.create({ model: 'beta', messages: ask, ...seeded }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error).toMatchObject({ status: 503, code: 'model_unavailable', message: expect.stringContaining('does not fit next to the pinned models (alpha)') });
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(server.pool.stats('alpha')).toMatchObject({ state: 'loaded', unloads: 0 });
    } finally {
      await server.close();
    }
  });

  it('refuses a model that would not fit the memory budget, before loading it', async () => {
    const server = await serve({ config: catalogFile(), 'memory-budget': '0.01' });
    try {
      const error = await server.client.chat.completions.create({ model: 'alpha', messages: ask, ...seeded }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ status: 503, code: 'model_unavailable', message: expect.stringMatching(/The model alpha needs about [\d.]+ GiB of memory .* more than the memory budget of 0\.01 GiB\. Raise --memory-budget/) });
      const native = await callGeneration(server.url, { body: { model: 'alpha', input: { prompt: 'hi' } } });
      expect(native.status).toBe(503);
      expect(await native.json()).toMatchObject({ code: 'ModelUnavailable' });
      expect(server.pool.stats('alpha')).toMatchObject({ state: 'unloaded', loads: 0 });
    } finally {
      await server.close();
    }
  });

  it('limits prompts to the model maxInputTokens and refuses thinking where it is not supported, as /models says', async () => {
    const server = await serve({ config: catalogFile([{ maxInputTokens: 30 }, { thinking: { supported: false } }]) });
    try {
      const beta = await server.client.models.retrieve('beta');
      expect(beta).toMatchObject({ capabilities: { thinking: false, thinking_default: null, vision: false } });
      const long = [{ role: 'user' as const, content: 'word '.repeat(40) }];
      const error = await server.client.chat.completions.create({ model: 'alpha', messages: long, ...seeded }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ status: 400, message: expect.stringMatching(/Range of input length should be \[1, 30\]/) });
      const thinking = await server.client.chat.completions.create({ model: 'beta', messages: ask, ...seeded, enable_thinking: true } as never).catch((thrown: unknown) => thrown);
      expect(thinking).toMatchObject({ status: 400, param: 'enable_thinking', message: expect.stringContaining('The model beta does not support enable_thinking.') });
    } finally {
      await server.close();
    }
  });

  it('makes requests wait for a model on its way, up to --load-timeout, while the download goes on', async () => {
    // A loopback host that sends the model file slowly, in tenths.
    const bytes = readFileSync(files.beta);
    const host: Server = createServer((request, response) => {
      response.writeHead(200, { 'Content-Length': bytes.length, 'Content-Type': 'application/octet-stream' });
      if (request.method === 'HEAD') return void response.end();
      let sent = 0;
      const tenth = Math.ceil(bytes.length / 10);
      const timer = setInterval(() => {
        response.write(bytes.subarray(sent, sent + tenth));
        sent += tenth;
        if (sent >= bytes.length) {
          clearInterval(timer);
          response.end();
        }
      }, 250);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const source = `http://127.0.0.1:${(host.address() as AddressInfo).port}/slow-beta.gguf`;
    const server = await serve({ config: catalogFile([{}, { source }]), 'load-timeout': '1', 'models-dir': mkdtempSync(join(directory, 'models-')) });
    try {
      const early = await fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'beta', messages: ask, ...seeded }),
      });
      expect(early.status).toBe(503);
      expect(early.headers.get('retry-after')).toBe('1');
      expect(await early.json()).toMatchObject({ error: { code: 'model_unavailable', message: 'The model beta is still being downloaded or loaded; retry in a little while.' } });
      expect(server.pool.stats('beta').state).toBe('loading');
      // The openai SDK retries a 503 after Retry-After; by then the download may be done.
      const patient = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 5 });
      expect(await answer(patient, 'beta')).toBe(await answer(server.client, 'beta'));
      expect(server.pool.stats('beta')).toMatchObject({ state: 'loaded', loads: 1 });
    } finally {
      await server.close();
      host.closeAllConnections();
      await new Promise((resolve) => host.close(resolve));
    }
  });
});
