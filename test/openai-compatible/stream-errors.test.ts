import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('an error after a stream has begun', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('reaches the openai SDK as an in-stream error, and the stream ends', async () => {
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: server.modelName,
      messages: [{ role: 'user', content: 'Write a very long essay.' }],
      max_tokens: 3000,
      temperature: 0,
      stream: true,
    });
    let text = '';
    const failure = (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        // The model is freed under the running stream, as when its memory is lost.
        if (text.length > 0 && !server.engine.disposed) void server.engine.dispose();
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    const error = await failure;
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('internal error');
    expect(text.length).toBeGreaterThan(0);
  });
});
