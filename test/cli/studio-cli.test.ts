import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverOptions } from '../../src/config/server-options.js';
import { finished, outputUntil, studio } from '../support/studio-process.js';
import { closedPort } from '../support/closed-port.js';
import { tinyModelPath } from '../test-model.js';

describe('the studio command line', () => {
  let model: string;
  const directory = mkdtempSync(join(tmpdir(), 'studio-cli-config-'));
  beforeAll(async () => {
    model = await tinyModelPath();
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('lists every command and every serve flag in --help', async () => {
    const top = await finished(studio(['--help']));
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('serve');
    const serve = await finished(studio(['serve', '--help']));
    expect(serve.code).toBe(0);
    for (const spec of Object.values(serverOptions)) {
      expect(serve.stdout).toContain(`--${spec.flag}`);
      for (const env of spec.env) expect(serve.stdout).toContain(env);
    }
  });

  it('serves, says where and what, shows it to studio models, and stops cleanly on SIGTERM', async () => {
    const child = studio(['serve', '--model', model, '--port', '0', '--ctx', '1024', '--model-name', 'tiny'], { STUDIO_API_KEYS: 'sk-a, sk-b' });
    const done = finished(child);
    const banner = await outputUntil(child, /auth: .*\n/);
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner).toContain('model: tiny');
    expect(banner).toContain('context 1024 tokens');
    expect(banner).toContain('chat template Qwen');
    expect(banner).toContain(`DashScope base URL: ${url}/api/v1`);
    expect(banner).toContain('auth: on (2 keys from STUDIO_API_KEYS)');
    expect(banner).not.toContain('sk-a');

    const client = new OpenAI({ baseURL: `${url}/compatible-mode/v1`, apiKey: 'sk-b', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(completion.usage?.completion_tokens).toBe(3);

    // `studio models` shows the model this server serves, not the built-in catalog it does not.
    const models = await finished(studio(['models', '--url', url ?? '', '--api-key', 'sk-a', '--models-dir', directory]));
    expect(models.code).toBe(0);
    expect(models.stdout).toContain(`Served by ${url}:`);
    expect(models.stdout).toMatch(/│ tiny\s+│\s+│ loaded\s+│ 1024\s+│/);
    expect(models.stdout).toMatch(/│ qwen-turbo .*not downloaded/);

    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await finished(studio(['--version']));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it('lists the log levels in --help and names them when given another', async () => {
    const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
    const help = await finished(studio(['serve', '--help']));
    for (const level of levels) expect(help.stdout).toContain(`"${level}"`);
    const flag = await finished(studio(['serve', '--log-level', 'loud']));
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toContain(`argument 'loud' is invalid. Allowed choices are ${levels.join(', ')}.`);
    const env = await finished(studio(['serve', '--model', model], { STUDIO_LOG_LEVEL: 'loud' }));
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('--log-level / STUDIO_LOG_LEVEL (from STUDIO_LOG_LEVEL)');
    expect(env.stderr).toContain(levels.map((level) => `"${level}"`).join('|'));
  });

  it('says in its banner that DASHSCOPE_API_KEY turned auth on, without printing the key', async () => {
    const child = studio(['serve', '--model', model, '--port', '0', '--ctx', '256'], { DASHSCOPE_API_KEY: 'sk-cloud-1234' });
    const done = finished(child);
    const banner = await outputUntil(child, /auth: .*\n/);
    child.kill('SIGTERM');
    await done;
    expect(banner).toContain('auth: on (1 key from DASHSCOPE_API_KEY, your Model Studio key: clients must send it');
    expect(banner).not.toContain('1234');
  });

  it('refuses to listen beyond loopback without a key, and says why', async () => {
    const result = await finished(studio(['serve', '--model', model, '--host', '0.0.0.0', '--port', '0']));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('without an API key');
    expect(result.stderr).toContain('--api-key');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains in one paragraph how to use a local file when a download fails', async () => {
    const port = await closedPort();
    const result = await finished(studio(['serve', '--model', `http://127.0.0.1:${port}/model.gguf`, '--models-dir', fileURLToPath(new URL('../../.cache/cli-test-models/', import.meta.url))]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Could not download the model');
    expect(result.stderr).toContain('--model /path/to/model.gguf');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says clearly that a local model file is missing', async () => {
    const result = await finished(studio(['serve', '--model', './no-such-model.gguf']));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No model file at');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the flag and the variable of an invalid value', async () => {
    const result = await finished(studio(['serve', '--model', model], { STUDIO_PORT: 'eighty' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--port / STUDIO_PORT');
    expect(result.stderr).toContain('"eighty"');
  });

  it('fails start-up on an invalid config file with one line per problem, naming each field', async () => {
    const path = join(directory, 'studio.config.yaml');
    writeFileSync(path, `models:\n  - name: small\n    source: ${model}\n    context: -1\n  - name: big\n    sorce: big.gguf\n`);
    const result = await finished(studio(['serve', '--config', path]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The model catalog in ${path} is invalid:`);
    expect(result.stderr).toContain('models[0].context: Too small');
    expect(result.stderr).toContain('models[1]: needs either "source"');
    expect(result.stderr).toContain('models[1]: Unrecognized key: "sorce"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('serves a config file catalog, listing models that load on their first request and where upstream ones are, never their keys', async () => {
    const path = join(directory, 'studio.config.json');
    const [first, second] = [await closedPort(), await closedPort()];
    const endpoints = [
      { url: `http://127.0.0.1:${first}/v1`, apiKeyEnv: 'REMOTE_KEY' },
      { url: `http://127.0.0.1:${second}/v1`, apiKey: 'sk-inline-secret' },
    ];
    const models = [
      { name: 'small', aliases: ['qwen-turbo'], source: model, context: 512 },
      { name: 'remote', aliases: ['qwen-plus'], upstream: { endpoints }, fallbacks: ['small'] },
    ];
    writeFileSync(path, JSON.stringify({ port: 0, models }));
    const child = studio(['serve', '--config', path, '--log-level', 'debug'], { REMOTE_KEY: 'sk-env-secret' });
    const done = finished(child);
    const banner = await outputUntil(child, /auth: .*\n/);
    expect(banner).toContain(`model: small (also qwen-turbo) from ${model}, loaded on its first request`);
    expect(banner).toContain(`model: remote (also qwen-plus) on 2 upstream endpoints: 127.0.0.1:${first}, 127.0.0.1:${second}`);
    // The debug log prints the whole configuration, upstream endpoints included.
    expect(banner).toContain(`127.0.0.1:${first}/v1`);
    expect(banner).not.toMatch(/sk-env-secret|sk-inline-secret/);
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
    const client = new OpenAI({ baseURL: `${url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'qwen-turbo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(completion.usage?.completion_tokens).toBe(3);
    // No endpoint of remote answers: its fallback does (the reply names the model asked for, the ledger the one that served).
    const spilled = await client.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(spilled.usage?.completion_tokens).toBe(3);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    // Two generations through a spawned server: on a loaded machine, more than the default minute.
  }, 180_000);
});
