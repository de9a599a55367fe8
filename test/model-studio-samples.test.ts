import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packetFinishReason, parseSse, type Packet } from './support/dashscope-client.js';
import type { RunningServer } from '../src/cli/serve.js';
import { startCatalogServer, startTestServer, type TestServer } from './support/test-server.js';

const run = promisify(execFile);
const MODEL_STUDIO_HOST = 'https://dashscope-intl.aliyuncs.com';
const KEY = 'sk-sample-key';
const samples = new URL('./fixtures/model-studio-samples/', import.meta.url);
// Inside the repository, so a sample's `import "openai"` finds this project's node_modules.
const scratch = new URL('../.cache/samples/', import.meta.url);

/** The published sample with only the host swapped, as a user would change it. */
async function swappedSample(name: string, url: string): Promise<string> {
  const text = await readFile(new URL(name, samples), 'utf8');
  expect(text).toContain(MODEL_STUDIO_HOST);
  await mkdir(scratch, { recursive: true });
  const path = fileURLToPath(new URL(name, scratch));
  await writeFile(path, text.replaceAll(MODEL_STUDIO_HOST, url));
  return path;
}

function expectChatCompletion(output: string): void {
  const completion = JSON.parse(output);
  expect(completion).toMatchObject({ object: 'chat.completion', model: 'qwen-plus', choices: [{ index: 0, message: { role: 'assistant' } }] });
  expect(typeof completion.choices[0].message.content).toBe('string');
  expect(completion.usage.prompt_tokens).toBeGreaterThan(0);
}

function expectNativeMessage(output: string): void {
  const body = JSON.parse(output) as Packet;
  expect(body.output.choices?.[0]?.message.role).toBe('assistant');
  expect(typeof body.output.choices?.[0]?.message.content).toBe('string');
  expect(body.usage.input_tokens).toBeGreaterThan(0);
}

/** Where the samples' qwen-plus is served: by the tiny model in the server they call, or by a second server behind it. */
const servings = {
  'a local model': (local: TestServer): Promise<RunningServer> => Promise.resolve(local),
  'an upstream-backed model': (local: TestServer): Promise<RunningServer> =>
    startCatalogServer([{ name: 'qwen-plus', upstream: { endpoints: [{ url: local.baseURL, model: 'qwen-plus', apiKey: KEY, weight: 1, metrics: false }] } }], { 'api-key': [KEY] }),
};

describe.each(Object.keys(servings) as (keyof typeof servings)[])("Model Studio's own samples, with only the host and key changed, on %s", (serving) => {
  let local: TestServer;
  let server: RunningServer;
  const env = { ...process.env, DASHSCOPE_API_KEY: KEY };

  beforeAll(async () => {
    // The samples ask for qwen-plus and set no max_tokens; a small context keeps their replies short.
    local = await startTestServer({ 'model-name': 'qwen-plus', 'api-key': [KEY], ctx: '256' });
    server = await servings[serving](local);
  });
  afterAll(async () => {
    if (server !== local) await server?.close();
    await local?.close();
  });

  it('runs the OpenAI-compatible Node.js sample (openai SDK)', async () => {
    const { stdout } = await run(process.execPath, [await swappedSample('openai-node.mjs', server.url)], { env });
    expectChatCompletion(stdout);
  });

  it('runs the OpenAI-compatible curl sample', async () => {
    const { stdout } = await run('bash', [await swappedSample('openai-curl.sh', server.url)], { env });
    expectChatCompletion(stdout);
  });

  it('runs the native Node.js fetch sample', async () => {
    const { stdout } = await run(process.execPath, [await swappedSample('dashscope-node-fetch.mjs', server.url)], { env });
    expectNativeMessage(stdout);
  });

  it('runs the native curl sample', async () => {
    const { stdout } = await run('bash', [await swappedSample('dashscope-curl.sh', server.url)], { env });
    expectNativeMessage(stdout);
  });

  it('runs the native streaming curl sample', async () => {
    const { stdout } = await run('bash', [await swappedSample('dashscope-curl-stream.sh', server.url)], { env });
    const packets = parseSse(stdout).map((event) => JSON.parse(event.data) as Packet);
    expect(packets.length).toBeGreaterThan(1);
    expect(packetFinishReason(packets.at(-1) as Packet)).not.toBe('null');
  });
});
