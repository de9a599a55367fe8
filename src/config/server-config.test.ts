import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalog } from './default-catalog.js';
import { ConfigError } from './load-options.js';
import { modelNameFromSource } from './model-catalog.js';
import { loadServerConfig } from './server-config.js';

const directory = mkdtempSync(join(tmpdir(), 'studio-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function configFile(name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function failure(flags: Record<string, string | string[]>, env: NodeJS.ProcessEnv = {}): string {
  try {
    loadServerConfig(flags, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration loaded');
}

describe('the model catalog of studio serve', () => {
  it('is the built-in catalog when neither a config file nor --model names models', () => {
    const { models } = loadServerConfig({}, {});
    expect(models.map((model) => model.name)).toEqual(defaultCatalog.map((entry) => entry.name));
    const turbo = models.find((model) => model.name === 'qwen-turbo');
    expect(turbo).toMatchObject({ source: 'hf:Qwen/Qwen3-0.6B-GGUF:Q8_0', aliases: ['qwen3-0.6b'], context: 4096, parallel: 4, pinned: false });
    expect(turbo?.defaults.systemPrompt).toBe('You are a helpful assistant.');
    expect(turbo?.price).toEqual({ currency: 'USD', tiers: [{ input: 0.05, output: 0.2, thinkingOutput: 1 }] });
  });

  it('is one pinned model with --model, named by --model-name or after its source', () => {
    const { models } = loadServerConfig({ model: 'hf:Qwen/Qwen3-0.6B-GGUF:Q8_0', ctx: '2048' }, {});
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: 'qwen3-0.6b-q8_0', context: 2048, pinned: true, aliases: [], defaults: { systemPrompt: null } });
    expect(loadServerConfig({ model: 'm.gguf', 'model-name': 'mine' }, {}).models[0]?.name).toBe('mine');
    expect(modelNameFromSource('/models/Qwen3-8B-Q4_K_M.gguf')).toBe('qwen3-8b-q4_k_m');
    expect(modelNameFromSource('https://example.com/files/Tiny.gguf?download=1')).toBe('tiny');
    expect(modelNameFromSource('hf:Qwen/Qwen3-4B-GGUF/Qwen3-4B-Q8_0.gguf')).toBe('qwen3-4b-q8_0');
  });

  it('reads models and server options from a JSON or YAML file, flags and env winning over it', () => {
    const models = [
      {
        name: 'small',
        aliases: ['qwen-turbo'],
        source: './small.gguf',
        context: 1024,
        maxOutputTokens: 512,
        price: { currency: 'CNY', tiers: [{ maxInputTokens: 1000, input: 1, output: 2 }, { input: 3, output: 4 }] },
        defaults: { temperature: 0.1, systemPrompt: null },
        parallel: 2,
        thinking: { supported: false },
      },
      { name: 'big', source: 'hf:Qwen/Qwen3-8B-GGUF:Q4_K_M', pinned: true },
    ];
    const json = configFile('studio.config.json', { models, port: 9000, maxQueue: 7, apiKeys: ['sk-file'] });
    const config = loadServerConfig({ config: json, port: '9100' }, { STUDIO_MAX_QUEUE: '8' });
    expect(config).toMatchObject({ port: 9100, maxQueue: 8, apiKeys: ['sk-file'] });
    expect(config.models[0]).toMatchObject({ name: 'small', context: 1024, parallel: 2, defaults: { temperature: 0.1, systemPrompt: null }, thinking: { supported: false } });
    expect(config.models[0]?.price?.tiers).toEqual([{ maxInputTokens: 1000, input: 1, output: 2 }, { input: 3, output: 4 }]);
    expect(config.models[1]).toMatchObject({ name: 'big', context: 4096, pinned: true, gpuLayers: 'auto', defaults: { systemPrompt: 'You are a helpful assistant.' } });

    expect(config.sources).toMatchObject({ port: '--port', maxQueue: 'STUDIO_MAX_QUEUE', apiKeys: `"apiKeys" in ${json}`, ctx: 'default', config: '--config' });

    const yaml = configFile('studio.yaml', 'port: 9200\nmodels:\n  - name: small\n    source: ./small.gguf\n    aliases: [qwen-turbo]\n');
    expect(loadServerConfig({}, { STUDIO_CONFIG: yaml })).toMatchObject({ port: 9200, models: [{ name: 'small', aliases: ['qwen-turbo'] }] });
  });

  it('accepts the example config of the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /## Models and the catalog[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const config = loadServerConfig({ config: configFile('readme.json', example ?? '') }, {});
    expect(config.models[0]).toMatchObject({ name: 'qwen3-8b', aliases: ['qwen-plus'], context: 8192, pinned: true });
  });

  it('pins models named by --pin, by name or alias', () => {
    const path = configFile('pins.json', { models: [{ name: 'a', source: 'a.gguf', aliases: ['x'] }, { name: 'b', source: 'b.gguf' }] });
    const config = loadServerConfig({ config: path, pin: ['x'] }, {});
    expect(config.models.map((model) => model.pinned)).toEqual([true, false]);
    expect(failure({ config: path, pin: ['c'] })).toBe('--pin names "c", which is not in the catalog. Known models: a, x, b.');
  });

  it('fails with a message that names the field and the fix', () => {
    const bad = configFile('bad.json', {
      models: [
        { name: 'a', source: 'a.gguf', context: 0, price: { input: 1 } },
        { name: 'b', aliases: ['a'], sourec: 'b.gguf' },
      ],
    });
    const message = failure({ config: bad });
    expect(message).toContain(`The model catalog in ${bad} is invalid:`);
    expect(message).toContain('models[0].context: Too small: expected number to be >=1');
    expect(message).toContain('models[0].price: a flat price needs both "input" and "output" (per million tokens)');
    expect(message).toContain('models[1].source: Invalid input: expected string, received undefined');
    expect(message).toContain('models[1]: Unrecognized key: "sourec"');

    const duplicate = configFile('duplicate.json', { models: [{ name: 'a', source: 'a.gguf' }, { name: 'b', aliases: ['a'], source: 'b.gguf' }] });
    expect(failure({ config: duplicate })).toContain('models[1].aliases[0]: "a" already names models[0]; every name and alias must be unique');

    const tiers = configFile('tiers.json', { models: [{ name: 'a', source: 'a.gguf', price: { tiers: [{ input: 1, output: 1 }, { maxInputTokens: 5, input: 2, output: 2 }] } }] });
    expect(failure({ config: tiers })).toContain('models[0].price.tiers[0].maxInputTokens: every tier but the last needs maxInputTokens');
  });

  it('refuses unknown options, unreadable files, bad values in the file, and --model next to a file catalog', () => {
    expect(failure({ config: configFile('typo.json', { porrt: 1 }) })).toMatch(/^Unknown field "porrt" in the config file .*typo\.json\. Known fields: models, host, port, /);
    expect(failure({ config: join(directory, 'missing.json') })).toMatch(/^Cannot read the config file .*missing\.json: no such file\. Pass an existing file with --config/);
    expect(failure({ config: configFile('broken.json', '{"models": [') })).toMatch(/is not valid JSON/);
    expect(failure({ config: configFile('port.json', { port: 'high' }) })).toMatch(/^Invalid --port \/ STUDIO_PORT \(from "port" in .*port\.json\): /);
    const withModels = configFile('models.json', { models: [{ name: 'a', source: 'a.gguf' }] });
    expect(failure({ config: withModels, model: 'b.gguf' })).toBe(`Both --model and the "models" of ${withModels} name models to serve; keep one of them.`);
  });
});
