// What a new user meets first: the page at `/`, and a wrong model name answered with the names that work.
import OpenAI, { NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGeneration } from './support/dashscope-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

describe('the first run', () => {
  let server: TestServer;
  let client: OpenAI;
  beforeAll(async () => {
    server = await startTestServer({ 'model-name': 'tiny' });
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => server.close());

  describe('an unknown model', () => {
    const available = 'Available models: tiny.';

    it('is a 404 on the OpenAI-compatible wire that keeps Model Studio\'s sentence and names the served models', async () => {
      const error = await client.chat.completions.create({ model: 'qwen3-0.6b-q8_0', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).code).toBe('model_not_found');
      expect((error as NotFoundError).message).toContain(`The model \`qwen3-0.6b-q8_0\` does not exist or you do not have access to it. ${available}`);
    });

    it('is a 404 on the native wire that names the served models', async () => {
      const response = await callGeneration(server.url, { body: { model: 'qwen-max', input: { messages: [{ role: 'user', content: 'hi' }] }, parameters: { max_tokens: 2 } } });
      expect(response.status).toBe(404);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe('ModelNotFound');
      expect(body.message).toBe(`The model \`qwen-max\` does not exist or you do not have access to it. ${available}`);
    });

    it('is a 404 from the model endpoint that names the served models', async () => {
      const error = await client.models.retrieve('qwen-max').catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).message).toContain(available);
    });
  });

  describe('the page at /', () => {
    it('points a browser to the API bases, the model list, health and the docs', async () => {
      const response = await fetch(`${server.url}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await response.text();
      for (const text of ['/compatible-mode/v1', '/api/v1', 'href="compatible-mode/v1/models"', 'href="health"', 'README']) expect(page).toContain(text);
    });

    it('is the same page for a client that is not a browser, and its links lead somewhere', async () => {
      const response = await fetch(`${server.url}/`);
      expect(response.status).toBe(200);
      const page = await response.text();
      const links = [...page.matchAll(/href="([^"]+)"/g)].map((match) => match[1] ?? '');
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect((await fetch(new URL(link, `${server.url}/`))).status, link).toBe(200);
    });

    it('answers HEAD without a body, and leaves /favicon.ico a 404', async () => {
      const head = await fetch(`${server.url}/`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(404);
    });
  });
});
