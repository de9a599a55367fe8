import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATION_PATH, parseSse } from './support/dashscope-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const KEY = 'sk-wire-errors';
const CONTEXT = 128;
const MAX_BODY = 16 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type WireName = 'openai' | 'native';

interface Call {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

interface ErrorCase {
  readonly name: string;
  readonly status: number;
  readonly openai?: { readonly call: (model: string) => Call; readonly code: string };
  readonly native?: { readonly call: (model: string) => Call; readonly code: string };
}

const chat = (model: string, extra: object = {}): object => ({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, ...extra });
const generation = (model: string, parameters: object = {}): object => ({ model, input: { messages: [{ role: 'user', content: 'hi' }] }, parameters: { max_tokens: 2, ...parameters } });
const tooLong = 'word '.repeat(CONTEXT * 2);

/** Every error of the protocol's table that Studio can produce today, on each wire that can produce it. */
const cases: readonly ErrorCase[] = [
  { name: 'a body that is not JSON', status: 400, openai: { call: () => ({ body: '{"model":' }), code: 'invalid_parameter_error' }, native: { call: () => ({ body: '{"model":' }), code: 'InvalidParameter' } },
  { name: 'a parameter out of range', status: 400, openai: { call: (m) => ({ body: chat(m, { top_p: 1.5 }) }), code: 'invalid_parameter_error' }, native: { call: (m) => ({ body: generation(m, { top_p: 1.5 }) }), code: 'InvalidParameter' } },
  { name: 'a parameter of the wrong type', status: 400, openai: { call: (m) => ({ body: chat(m, { temperature: 'hot' }) }), code: 'invalid_parameter_error' }, native: { call: (m) => ({ body: generation(m, { temperature: 'hot' }) }), code: 'InvalidParameter' } },
  { name: 'no model', status: 400, openai: { call: () => ({ body: { messages: [{ role: 'user', content: 'hi' }] } }), code: 'invalid_parameter_error' }, native: { call: () => ({ body: { input: { prompt: 'hi' } } }), code: 'BadRequest.EmptyModel' } },
  { name: 'no input', status: 400, openai: { call: (m) => ({ body: { model: m } }), code: 'invalid_parameter_error' }, native: { call: (m) => ({ body: { model: m } }), code: 'BadRequest.EmptyInput' } },
  { name: 'neither prompt nor messages', status: 400, native: { call: (m) => ({ body: { model: m, input: {} } }), code: 'InvalidParameter' } },
  { name: 'content that is not a string', status: 400, native: { call: (m) => ({ body: { model: m, input: { messages: [{ role: 'user', content: [{ text: 'hi' }] }] } } }), code: 'InvalidParameter' } },
  { name: 'a wrong key', status: 401, openai: { call: (m) => ({ body: chat(m), headers: { Authorization: 'Bearer sk-wrong' } }), code: 'invalid_api_key' }, native: { call: (m) => ({ body: generation(m), headers: { Authorization: 'Bearer sk-wrong' } }), code: 'InvalidApiKey' } },
  { name: 'no key', status: 401, openai: { call: (m) => ({ body: chat(m), headers: { Authorization: '' } }), code: 'invalid_api_key' }, native: { call: (m) => ({ body: generation(m), headers: { Authorization: '' } }), code: 'InvalidApiKey' } },
  { name: 'an asynchronous call', status: 403, native: { call: (m) => ({ body: generation(m), headers: { 'X-DashScope-Async': 'enable' } }), code: 'AccessDenied' } },
  { name: 'an unknown model', status: 404, openai: { call: () => ({ body: chat('qwen-unknown') }), code: 'model_not_found' }, native: { call: () => ({ body: generation('qwen-unknown') }), code: 'ModelNotFound' } },
  { name: 'an unknown path', status: 404, openai: { call: (m) => ({ path: '/compatible-mode/v1/embeddingz', body: chat(m) }), code: 'not_found' }, native: { call: (m) => ({ path: '/api/v1/services/aigc/no-such/generation', body: generation(m) }), code: 'NotFound' } },
  { name: 'a wrong method', status: 405, openai: { call: () => ({ method: 'GET' }), code: 'method_not_allowed' }, native: { call: () => ({ method: 'GET' }), code: 'MethodNotAllowed' } },
  { name: 'an oversized body', status: 413, openai: { call: (m) => ({ body: chat(m, { stop: 'x'.repeat(MAX_BODY) }) }), code: 'request_too_large' }, native: { call: (m) => ({ body: generation(m, { stop: 'x'.repeat(MAX_BODY) }) }), code: 'RequestTooLarge' } },
  {
    name: 'a prompt longer than the context',
    status: 400,
    openai: { call: (m) => ({ body: { model: m, messages: [{ role: 'user', content: tooLong }] } }), code: 'invalid_parameter_error' },
    native: { call: (m) => ({ body: { model: m, input: { prompt: tooLong } } }), code: 'InvalidParameter' },
  },
];

const defaultPaths: Record<WireName, string> = { openai: '/compatible-mode/v1/chat/completions', native: GENERATION_PATH };

describe('errors on both wires', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ 'api-key': [KEY], ctx: String(CONTEXT), 'max-body-bytes': String(MAX_BODY) });
  });
  afterAll(() => server?.close());

  async function send(wire: WireName, call: Call): Promise<Response> {
    const { method = 'POST', path = defaultPaths[wire], headers = {}, body } = call;
    return fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', ...headers },
      ...(method === 'POST' ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  }

  const rows = cases.flatMap((errorCase) =>
    (['openai', 'native'] as const).flatMap((wire) => {
      const expected = errorCase[wire];
      return expected === undefined ? [] : [{ wire, name: errorCase.name, status: errorCase.status, ...expected }];
    }),
  );

  it.each(rows)('$wire: $name → $status $code', async ({ wire, status, code, call }) => {
    const response = await send(wire, call(server.modelName));
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/json');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(UUID);
    const body = (await response.json()) as Record<string, unknown>;
    if (wire === 'openai') {
      expect(Object.keys(body).sort()).toEqual(['error', 'request_id']);
      expect(body.request_id).toBe(requestId);
      expect(body.error).toEqual({ message: expect.any(String), type: expect.any(String), param: expect.toSatisfy((p) => p === null || typeof p === 'string'), code });
    } else {
      expect(body).toEqual({ request_id: requestId, code, message: expect.any(String) });
    }
    expect(JSON.stringify(body)).not.toContain(KEY);
  });

  it('ends a broken stream with an in-stream error frame on each wire', async () => {
    const streams = await Promise.all([
      send('openai', { body: chat(server.modelName, { stream: true, max_tokens: 100, temperature: 0 }) }),
      send('native', { body: generation(server.modelName, { max_tokens: 100, incremental_output: true, temperature: 0 }), headers: { 'X-DashScope-SSE': 'enable' } }),
    ]);
    const readers = streams.map((response) => (response.body as ReadableStream<Uint8Array>).getReader());
    const decoder = new TextDecoder();
    const texts = ['', ''];
    for (const [index, reader] of readers.entries()) texts[index] += decoder.decode((await reader.read()).value);
    // The model is freed under the running streams, as when its memory is lost.
    await server.engine.dispose();
    for (const [index, reader] of readers.entries()) {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) texts[index] += decoder.decode(chunk.value, { stream: true });
    }
    const [openai = '', native = ''] = texts;

    const lastOpenAI = parseSse(openai).at(-1);
    expect(lastOpenAI?.event).toBeUndefined();
    expect(JSON.parse(lastOpenAI?.data ?? '{}')).toEqual({ error: { message: expect.any(String), type: 'internal_error', param: null, code: 'internal_error' }, request_id: expect.stringMatching(UUID) });
    expect(openai).not.toContain('[DONE]');

    const lastNative = native.split('\n\n').filter(Boolean).at(-1)?.split('\n') ?? [];
    expect(lastNative[0]).toMatch(/^id:\d+$/);
    expect(lastNative.slice(1, 3)).toEqual(['event:error', ':HTTP_STATUS/500']);
    expect(JSON.parse(lastNative[3]?.slice('data:'.length) ?? '{}')).toEqual({ request_id: expect.stringMatching(UUID), code: 'InternalError', message: expect.any(String) });
  });
});
