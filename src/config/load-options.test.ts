import { describe, expect, it } from 'vitest';
import { loadOptions, redactOptions, resolveOptions } from './load-options.js';
import { serverOptions } from './server-options.js';

describe('loadOptions', () => {
  it('takes a flag over the environment over the default', () => {
    expect(loadOptions(serverOptions, {}, {}).port).toBe(8000);
    expect(loadOptions(serverOptions, {}, { STUDIO_PORT: '9000' }).port).toBe(9000);
    expect(loadOptions(serverOptions, { port: '9100' }, { STUDIO_PORT: '9000' }).port).toBe(9100);
  });

  it('reads keys from repeated flags, or a comma-separated variable, or DASHSCOPE_API_KEY', () => {
    expect(loadOptions(serverOptions, { 'api-key': ['a', 'b'] }, {}).apiKeys).toEqual(['a', 'b']);
    expect(loadOptions(serverOptions, {}, { STUDIO_API_KEYS: 'a, b,' }).apiKeys).toEqual(['a', 'b']);
    expect(loadOptions(serverOptions, {}, { DASHSCOPE_API_KEY: 'sk-x' }).apiKeys).toEqual(['sk-x']);
  });

  it('says where each value came from, never what it is', () => {
    const file = { path: 'studio.yaml', values: { maxQueue: 3 } };
    const { sources } = resolveOptions(serverOptions, { port: '9100' }, { DASHSCOPE_API_KEY: 'sk-cloud' }, file);
    expect(sources).toMatchObject({ port: '--port', apiKeys: 'DASHSCOPE_API_KEY', maxQueue: '"maxQueue" in studio.yaml', ctx: 'default' });
    expect(JSON.stringify(sources)).not.toContain('sk-cloud');
    expect(resolveOptions(serverOptions, {}, { STUDIO_API_KEYS: 'a', DASHSCOPE_API_KEY: 'b' }).sources.apiKeys).toBe('STUDIO_API_KEYS');
  });

  it('names the flag, the variables and the value in an error', () => {
    expect(() => loadOptions(serverOptions, { ctx: '0' }, {})).toThrow(/--ctx \/ STUDIO_CTX \(from --ctx\).*"0"/);
    expect(() => loadOptions(serverOptions, {}, { STUDIO_GPU: 'maybe' })).toThrow(/--gpu \/ STUDIO_GPU \(from STUDIO_GPU\)/);
  });

  it('returns a frozen configuration', () => {
    const config = loadOptions(serverOptions, { 'api-key': ['a'] }, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.apiKeys)).toBe(true);
  });

  it('redacts secrets when printed', () => {
    const config = loadOptions(serverOptions, { 'api-key': ['sk-secret'] }, {});
    const printed = JSON.stringify(redactOptions(serverOptions, config));
    expect(printed).not.toContain('sk-secret');
    expect(printed).toContain('"apiKeys":["***"]');
  });
});
