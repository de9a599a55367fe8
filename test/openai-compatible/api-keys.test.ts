import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, startTestServer, type TestServer } from '../support/test-server.js';

const KEYS = ['sk-studio-first-key', 'sk-studio-second-key'];

describe('API keys on the OpenAI-compatible API', () => {
  let server: TestServer;
  const logs = memoryLogger();

  beforeAll(async () => {
    server = await startTestServer({ 'api-key': KEYS }, logs.logger);
  });
  afterAll(() => server?.close());

  const clientWith = (apiKey: string): OpenAI => new OpenAI({ baseURL: server.baseURL, apiKey, maxRetries: 0 });
  const ask = (client: OpenAI) => client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });

  it('serves every configured key', async () => {
    for (const key of KEYS) expect((await ask(clientWith(key))).usage?.completion_tokens).toBe(2);
  });

  it('answers a wrong key with 401 invalid_api_key', async () => {
    const error = await ask(clientWith('sk-wrong')).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as APIError).code).toBe('invalid_api_key');
    expect((error as APIError).status).toBe(401);
  });

  it('answers a missing key with 401 invalid_api_key, on every route', async () => {
    for (const [method, path] of [['POST', '/chat/completions'], ['GET', '/models']] as const) {
      const response = await fetch(`${server.baseURL}${path}`, { method, headers: { 'Content-Type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: unknown }).error).toEqual({ message: 'Incorrect API key provided. ', type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
    }
  });

  it('lists models only for a valid key', async () => {
    const models = await clientWith(KEYS[0] as string).models.list();
    expect(models.data.map((model) => model.id)).toEqual([server.modelName]);
    await expect(clientWith('sk-wrong').models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('never writes a key to the log', async () => {
    await ask(clientWith('sk-wrong-and-secret')).catch(() => undefined);
    expect(logs.lines().length).toBeGreaterThan(0);
    for (const secret of [...KEYS, 'sk-wrong-and-secret']) expect(logs.text()).not.toContain(secret);
  });
});
