import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CONTEXT = 256;
const MAX_BODY = 64 * 1024;

describe('errors on the OpenAI-compatible API', () => {
  let server: TestServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startTestServer({ ctx: String(CONTEXT), 'max-body-bytes': String(MAX_BODY) });
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => server?.close());

  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; param: string | null } }).error;
  const post = (body: string, path = '/chat/completions'): Promise<Response> =>
    fetch(`${server.baseURL}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  async function expectSdkError(request: object, errorClass: abstract new (...args: never) => APIError, expected: { status: number; code: string; param?: string | null }): Promise<APIError> {
    const error: unknown = await client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'hi' }], ...request } as never).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(errorClass);
    const apiError = error as APIError;
    expect(apiError.status).toBe(expected.status);
    expect(apiError.code).toBe(expected.code);
    if (expected.param !== undefined) expect(apiError.param).toBe(expected.param);
    expect(apiError.type).toBeTypeOf('string');
    expect(apiError.message).not.toHaveLength(0);
    expect(apiError.requestID).toMatch(/^[0-9a-f-]{36}$/);
    return apiError;
  }

  it.each([
    ['a missing model', { model: undefined }, 'model'],
    ['missing messages', { messages: undefined }, 'messages'],
    ['empty messages', { messages: [] }, 'messages'],
    ['a message that is not an object', { messages: ['hi'] }, 'messages[0]'],
    ['a bad role', { messages: [{ role: 'wizard', content: 'hi' }] }, 'messages[0].role'],
    ['content of the wrong type', { messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
    ['an image part whose URL is neither a web nor a data URL', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'messages[0].content[0].image_url.url'],
    ['temperature of the wrong type', { temperature: 'hot' }, 'temperature'],
    ['temperature out of range', { temperature: 2.5 }, 'temperature'],
    ['top_p out of range', { top_p: 1.5 }, 'top_p'],
    ['a negative seed', { seed: -1 }, 'seed'],
    ['a fractional max_tokens', { max_tokens: 1.5 }, 'max_tokens'],
    ['max_tokens of zero', { max_tokens: 0 }, 'max_tokens'],
    ['stop of the wrong type', { stop: 5 }, 'stop'],
    ['stream of the wrong type', { stream: 'yes' }, 'stream'],
  ])('rejects %s with 400 naming the parameter', async (_name, request, param) => {
    await expectSdkError(request, OpenAI.BadRequestError, { status: 400, code: 'invalid_parameter_error', param });
  });

  it('names the range in an out-of-range message, as Model Studio does', async () => {
    const error = await expectSdkError({ top_p: 1.5 }, OpenAI.BadRequestError, { status: 400, code: 'invalid_parameter_error' });
    expect(error.message).toContain('Range of top_p should be (0.0, 1.0]');
  });

  it('rejects a body that is not JSON', async () => {
    const response = await post('{"model": ');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = await response.json();
    expect(body).toEqual({
      error: { message: expect.stringContaining('body'), type: 'invalid_request_error', param: null, code: 'invalid_parameter_error' },
      request_id: response.headers.get('x-request-id'),
    });
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const error = await expectSdkError({ model: 'qwen-nonexistent' }, OpenAI.NotFoundError, { status: 404, code: 'model_not_found' });
    expect(error.message).toContain('qwen-nonexistent');
  });

  it('rejects a prompt longer than the context with 400, never truncating it', async () => {
    const long = 'word '.repeat(CONTEXT * 2);
    const error = await expectSdkError({ messages: [{ role: 'user', content: long }] }, OpenAI.BadRequestError, { status: 400, code: 'invalid_parameter_error' });
    expect(error.message).toContain(`Range of input length should be [1, ${CONTEXT - 1}]`);
  });

  it('limits a reply to what is left of the context when max_tokens asks for more', async () => {
    const completion = await client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'hi' }], max_tokens: CONTEXT * 4, temperature: 0 });
    const { prompt_tokens = 0, completion_tokens = 0 } = completion.usage ?? {};
    expect(prompt_tokens + completion_tokens).toBeLessThanOrEqual(CONTEXT);
    if (completion.choices[0]?.finish_reason === 'length') expect(prompt_tokens + completion_tokens).toBe(CONTEXT);
  });

  it('rejects an oversized body with 413 before reading it all', async () => {
    const error = await expectSdkError({ messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY * 2) }] }, APIError, { status: 413, code: 'request_too_large' });
    expect(error.message).toContain(String(MAX_BODY));
  });

  it('rejects a streamed request with a bad parameter before streaming, with a JSON body', async () => {
    const response = await post(JSON.stringify({ model: server.modelName, messages: [{ role: 'user', content: 'hi' }], stream: true, top_p: 0 }));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect((await errorOf(response)).param).toBe('top_p');
  });

  it('answers a wrong method with 405 and the allowed one', async () => {
    const response = await fetch(`${server.baseURL}/chat/completions`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await errorOf(response)).code).toBe('method_not_allowed');
  });

  it('answers an unknown path with 404 in the wire shape', async () => {
    const response = await post('{}', '/no-such-endpoint');
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('not_found');
  });
});
