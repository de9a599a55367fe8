import { describe, expect, it } from 'vitest';
import { redactOptions } from './load-options.js';
import { loadServerConfig } from './server-config.js';
import { serverOptions } from './server-options.js';

describe('the model hub endpoints', () => {
  it('are Hugging Face and ModelScope themselves by default', () => {
    const config = loadServerConfig({}, {});
    expect(config.hubEndpoint).toBe('https://huggingface.co');
    expect(config.modelscopeEndpoint).toBe('https://www.modelscope.cn');
  });

  it('read HF_ENDPOINT as the Hugging Face tools do, and MODELSCOPE_DOMAIN (a host name) as the modelscope library does', () => {
    const config = loadServerConfig({}, { HF_ENDPOINT: 'https://hf-mirror.com/', MODELSCOPE_DOMAIN: 'www.modelscope.ai' });
    expect(config.hubEndpoint).toBe('https://hf-mirror.com');
    expect(config.modelscopeEndpoint).toBe('https://www.modelscope.ai');
  });

  it('take a flag over STUDIO_* over the tools\' own variables', () => {
    const env = { HF_ENDPOINT: 'https://b.example', STUDIO_HUB_ENDPOINT: 'https://a.example', MODELSCOPE_DOMAIN: 'b.example', STUDIO_MODELSCOPE_ENDPOINT: 'http://127.0.0.1:9000/ms' };
    expect(loadServerConfig({}, env)).toMatchObject({ hubEndpoint: 'https://a.example', modelscopeEndpoint: 'http://127.0.0.1:9000/ms' });
    expect(loadServerConfig({ 'hub-endpoint': 'http://127.0.0.1:8080' }, env).hubEndpoint).toBe('http://127.0.0.1:8080');
  });

  it('refuse what is not an http(s) URL, naming the flag and the variables', () => {
    expect(() => loadServerConfig({}, { HF_ENDPOINT: 'ftp://mirror.example' })).toThrow(
      'Invalid --hub-endpoint / STUDIO_HUB_ENDPOINT / HF_ENDPOINT (from HF_ENDPOINT): expected an http(s) URL',
    );
    expect(() => loadServerConfig({ 'modelscope-endpoint': 'not a host' }, {})).toThrow(/--modelscope-endpoint .*expected an http\(s\) URL/);
  });
});

describe('the store, Redis and admin options', () => {
  it('read DATABASE_URL and REDIS_URL as other tools do, STUDIO_* first', () => {
    const env = { DATABASE_URL: 'postgres://a@db.example/one', STUDIO_DATABASE_URL: 'postgresql://b@db.example/two', REDIS_URL: 'redis://cache.example:6379/2' };
    expect(loadServerConfig({}, env)).toMatchObject({ databaseUrl: 'postgresql://b@db.example/two', redisUrl: 'redis://cache.example:6379/2' });
    expect(loadServerConfig({}, {})).toMatchObject({ databaseUrl: undefined, redisUrl: undefined, adminKey: undefined, instanceId: undefined });
  });

  it('refuse a database URL of another kind without printing it, password and all', () => {
    const attempt = (): unknown => loadServerConfig({ 'database-url': 'mysql://root:hunter2@db.example/studio' }, {});
    expect(attempt).toThrow(/--database-url \/ STUDIO_DATABASE_URL \/ DATABASE_URL \(from --database-url\): expected a postgres:\/\//);
    expect(attempt).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });

  it('put /metrics behind the admin key with --metrics-auth on or STUDIO_METRICS_AUTH, and refuse it with no admin key', () => {
    expect(loadServerConfig({}, {}).metricsAuth).toBe('off');
    expect(loadServerConfig({ 'metrics-auth': 'on', 'admin-key': 'sk-admin-secret' }, {}).metricsAuth).toBe('on');
    expect(loadServerConfig({}, { STUDIO_METRICS_AUTH: 'on', STUDIO_ADMIN_KEY: 'sk-admin-secret' }).metricsAuth).toBe('on');
    expect(() => loadServerConfig({}, { STUDIO_METRICS_AUTH: 'on' })).toThrow(
      '--metrics-auth on (from STUDIO_METRICS_AUTH) asks for the admin key, and none is set: pass --admin-key <key> or set STUDIO_ADMIN_KEY.',
    );
    expect(() => loadServerConfig({ 'metrics-auth': 'yes' }, {})).toThrow(/--metrics-auth \/ STUDIO_METRICS_AUTH/);
  });

  it('redact the admin key and the URLs when the configuration is printed', () => {
    const config = loadServerConfig({ 'admin-key': 'sk-admin-secret', 'database-url': 'postgres://u:pw@h/d', 'redis-url': 'redis://:pw@h' }, {});
    const printed = JSON.stringify(redactOptions(serverOptions, config));
    for (const secret of ['sk-admin-secret', 'pw@h']) expect(printed).not.toContain(secret);
  });
});
