// GET /metrics behind the admin key (--metrics-auth on): refused in the OpenAI error shape without it, scraped with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';

const ADMIN_KEY = 'sk-metrics-admin-0123456789';
const API_KEY = 'sk-metrics-api-0123456789';

describe('GET /metrics with --metrics-auth on', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ 'admin-key': ADMIN_KEY, 'api-key': [API_KEY], 'metrics-auth': 'on' });
  });
  afterAll(() => server.close());

  const scrape = (key?: string): Promise<Response> => fetch(`${server.url}/metrics`, { headers: key === undefined ? {} : { Authorization: `Bearer ${key}` } });

  it('answers 401 in the OpenAI error shape without a key and with a key it does not know', async () => {
    for (const key of [undefined, 'sk-nobody-0123456789']) {
      const response = await scrape(key);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { message: 'Incorrect API key provided. ', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
        request_id: expect.any(String),
      });
    }
  });

  it('answers 403 to an API key, which may call the models but is not the admin key', async () => {
    const response = await scrape(API_KEY);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'access_denied' } });
  });

  it('answers the admin key with the metrics', async () => {
    const response = await scrape(ADMIN_KEY);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain(`vllm:num_requests_running{model_name="${server.modelName}"} 0`);
  });

  it('leaves /health and /ready open to probes', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
  });
});
