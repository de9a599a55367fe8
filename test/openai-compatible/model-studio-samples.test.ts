import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const run = promisify(execFile);
const MODEL_STUDIO_BASE = 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1';
const KEY = 'sk-sample-key';
const samples = new URL('../fixtures/model-studio-samples/', import.meta.url);
// Inside the repository, so the sample's `import "openai"` finds this project's node_modules.
const scratch = new URL('../../.cache/samples/', import.meta.url);

/** The published sample with only the base URL swapped, as a user would change it. */
async function swappedSample(name: string, baseURL: string): Promise<string> {
  const text = await readFile(new URL(name, samples), 'utf8');
  expect(text).toContain(MODEL_STUDIO_BASE);
  await mkdir(scratch, { recursive: true });
  const path = fileURLToPath(new URL(name, scratch));
  await writeFile(path, text.replaceAll(MODEL_STUDIO_BASE, baseURL));
  return path;
}

function expectCompletion(output: string): void {
  const completion = JSON.parse(output);
  expect(completion).toMatchObject({ object: 'chat.completion', model: 'qwen-plus', choices: [{ index: 0, message: { role: 'assistant' } }] });
  expect(typeof completion.choices[0].message.content).toBe('string');
  expect(completion.usage.prompt_tokens).toBeGreaterThan(0);
}

describe("Model Studio's own samples, with only the base URL and key changed", () => {
  let server: TestServer;
  const env = { ...process.env, DASHSCOPE_API_KEY: KEY };

  beforeAll(async () => {
    // The samples ask for qwen-plus; the tiny model answers under that name.
    server = await startTestServer({ 'model-name': 'qwen-plus', 'api-key': [KEY], ctx: '512' });
  });
  afterAll(() => server?.close());

  it('runs the Node.js sample (openai SDK)', async () => {
    const sample = await swappedSample('openai-node.mjs', server.baseURL);
    const { stdout } = await run(process.execPath, [sample], { env });
    expectCompletion(stdout);
  });

  it('runs the curl sample', async () => {
    const sample = await swappedSample('openai-curl.sh', server.baseURL);
    const { stdout } = await run('bash', [sample], { env });
    expectCompletion(stdout);
  });
});
