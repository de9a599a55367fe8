import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalog } from './default-catalog.js';
import { ConfigError } from './load-options.js';
import { modelNameFromSource } from './model-catalog.js';
import { loadServerConfig, redactServerConfig } from './server-config.js';

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
    expect(config.models.map((model) => model.kind === 'local' && model.pinned)).toEqual([true, false]);
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
    expect(message).toContain('models[1]: needs either "source" (a GGUF path or an hf: or modelscope: URI) or "upstream" (OpenAI-compatible endpoints)');
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

describe('models served by upstreams', () => {
  const yaml = `models:
  - name: qwen3-32b
    aliases: [qwen-plus]
    upstream:
      endpoints:
        - url: http://10.0.0.11:8000/v1
          model: Qwen/Qwen3-32B
          apiKeyEnv: VLLM_API_KEY
          weight: 2
        - url: http://10.0.0.12:8000/v1
          apiKey: sk-inline
          metrics: http://10.0.0.12:9000/metrics
        - url: https://dashscope-intl.aliyuncs.com/compatible-mode/v1
          metrics: false
      affinity: true
      firstTokenTimeout: 60
    vision: true
    fallbacks: [small]
  - name: small
    source: ./small.gguf
`;

  it('reads an upstream entry with every default filled in and its key read from the environment', () => {
    const config = loadServerConfig({ config: configFile('upstream.yaml', yaml) }, { VLLM_API_KEY: 'sk-from-env' });
    expect(config.models[0]).toEqual({
      kind: 'upstream',
      name: 'qwen3-32b',
      aliases: ['qwen-plus'],
      context: 4096,
      // The upstream applies its own system prompt: Studio adds none, so two never stack.
      defaults: { systemPrompt: null },
      thinking: { supported: true },
      vision: true,
      fallbacks: ['small'],
      upstream: {
        endpoints: [
          { url: 'http://10.0.0.11:8000/v1', model: 'Qwen/Qwen3-32B', apiKey: 'sk-from-env', weight: 2, metricsUrl: 'http://10.0.0.11:8000/metrics' },
          { url: 'http://10.0.0.12:8000/v1', model: 'qwen3-32b', apiKey: 'sk-inline', weight: 1, metricsUrl: 'http://10.0.0.12:9000/metrics' },
          { url: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', model: 'qwen3-32b', weight: 1 },
        ],
        affinity: true,
        connectTimeout: 10,
        firstTokenTimeout: 60,
        healthCheckInterval: 15,
        cooldown: 30,
        maxAttempts: 3,
      },
    });
    expect(config.models[1]).toMatchObject({ kind: 'local', name: 'small', source: './small.gguf', vision: false, pinned: false, parallel: 4 });
  });

  it('raises the default body limit to 16 MiB when a model takes images, but never over a limit that was set', () => {
    const vision = configFile('vision.yaml', yaml);
    const env = { VLLM_API_KEY: 'sk-from-env' };
    const config = loadServerConfig({ config: vision }, env);
    expect(config.maxBodyBytes).toBe(16 * 1024 * 1024);
    expect(config.sources.maxBodyBytes).toBe('default for a catalog with a vision model');
    expect(loadServerConfig({ config: configFile('no-vision.yaml', yaml.replace('vision: true', 'vision: false')) }, env).maxBodyBytes).toBe(4 * 1024 * 1024);
    expect(loadServerConfig({ config: vision, 'max-body-bytes': '1000' }, env)).toMatchObject({ maxBodyBytes: 1000, sources: { maxBodyBytes: '--max-body-bytes' } });
    expect(loadServerConfig({ config: vision }, { ...env, STUDIO_MAX_BODY_BYTES: '2000' }).maxBodyBytes).toBe(2000);
    expect(loadServerConfig({ config: configFile('vision-limit.yaml', `maxBodyBytes: 3000\n${yaml}`) }, env).maxBodyBytes).toBe(3000);
  });

  it('never shows an upstream key in the configuration it logs', () => {
    const config = loadServerConfig({ config: configFile('redacted.yaml', yaml), 'api-key': ['sk-studio'] }, { VLLM_API_KEY: 'sk-from-env' });
    const shown = JSON.stringify(redactServerConfig(config));
    expect(shown).not.toMatch(/sk-from-env|sk-inline|sk-studio/);
    expect(shown).toContain('http://10.0.0.11:8000/v1');
  });

  it('names an apiKeyEnv variable that is not set', () => {
    expect(failure({ config: configFile('unset.yaml', yaml) })).toBe(
      'models[0].upstream.endpoints[0].apiKeyEnv names the environment variable VLLM_API_KEY, which is not set. Set VLLM_API_KEY to the key of http://10.0.0.11:8000/v1, or give the key as "apiKey".',
    );
  });

  it('keeps local-only fields, images and the kinds apart, one clear message each', () => {
    const endpoints = [{ url: 'http://h:8000/v1' }];
    const message = failure({
      config: configFile('kinds.json', {
        models: [
          { name: 'a', source: 'a.gguf', vision: true },
          { name: 'b', upstream: { endpoints }, gpuLayers: 10, parallel: 2, pinned: true },
          { name: 'c', source: 'c.gguf', upstream: { endpoints } },
          { name: 'd', upstream: { endpoints: [{ url: 'ftp://h/v1', apiKey: 'k', apiKeyEnv: 'K', weight: 0 }], maxAttempts: 0 } },
          { name: 'e', upstream: { endpoints: [] } },
        ],
      }),
    });
    expect(message).toContain('models[0].vision: a local model cannot take images (node-llama-cpp has no vision support); serve a vision model through "upstream"');
    expect(message).toContain('models[1].gpuLayers: only a local model (one with "source") has gpuLayers; this one is served by an upstream');
    expect(message).toContain('models[1].parallel: only a local model (one with "source") has parallel; this one is served by an upstream');
    expect(message).toContain('models[1].pinned: only a local model (one with "source") has pinned; this one is served by an upstream');
    expect(message).toContain('models[2]: give either "source" (a local GGUF) or "upstream" (OpenAI-compatible endpoints), not both');
    expect(message).toContain('models[3].upstream.endpoints[0].url: an http:// or https:// URL');
    expect(message).toContain('models[3].upstream.endpoints[0].weight: Too small: expected number to be >0');
    expect(message).toContain('models[3].upstream.endpoints[0]: give "apiKey" or "apiKeyEnv", not both');
    expect(message).toContain('models[3].upstream.maxAttempts: Too small: expected number to be >=1');
    expect(message).toContain('models[4].upstream.endpoints: an upstream needs at least one endpoint');
    expect(message.match(/models\[1\]/g)).toHaveLength(3);
  });

  it('refuses fallbacks that name no model, the model itself, or go round in a cycle', () => {
    const models = (fallbacks: Record<string, string[]>): unknown[] => Object.entries(fallbacks).map(([name, names]) => ({ name, aliases: [`${name}-alias`], source: `${name}.gguf`, fallbacks: names }));
    const fails = (name: string, fallbacks: Record<string, string[]>): string => failure({ config: configFile(name, { models: models(fallbacks) }) });
    expect(fails('missing.json', { a: ['b', 'z'], b: [] })).toContain('models[0].fallbacks[1]: "z" is not a name or alias of a model in the catalog');
    expect(fails('self.json', { a: ['a-alias'] })).toContain('models[0].fallbacks[0]: "a-alias" is this model itself');
    expect(fails('cycle.json', { a: ['b'], b: ['c-alias'], c: ['a'] })).toContain('models[0].fallbacks: the fallbacks go round in a cycle: a → b → c → a');
    const chain = loadServerConfig({ config: configFile('chain.json', { models: models({ a: ['b', 'c'], b: ['c-alias'], c: [] }) }) }, {});
    expect(chain.models.map((model) => model.fallbacks)).toEqual([['b', 'c'], ['c-alias'], []]);
  });

  it('refuses to --pin an upstream model', () => {
    const path = configFile('pin-upstream.json', { models: [{ name: 'remote', aliases: ['r'], upstream: { endpoints: [{ url: 'http://h:8000/v1' }] } }] });
    expect(failure({ config: path, pin: ['r'] })).toBe('--pin names "r", which is served by an upstream: only a local model is loaded, and so pinned.');
  });
});

describe('a config file that puts /metrics behind the admin key', () => {
  it('reads "metricsAuth" as it reads any option', () => {
    const path = configFile('metrics-auth.json', { metricsAuth: 'on', adminKey: 'sk-admin-secret' });
    expect(loadServerConfig({ config: path }, {}).metricsAuth).toBe('on');
  });
});
