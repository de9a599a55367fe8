import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, startTestServer, type TestServer } from './support/test-server.js';
import { parseResponse, rawExchange, requestHead, type RawResponse } from './support/raw-http.js';

const CHAT = '/compatible-mode/v1/chat/completions';
const GENERATION = '/api/v1/services/aigc/text-generation/generation';
const MAX_BODY = 10_000;

describe('the connection edge', () => {
  let server: TestServer;
  const logs = memoryLogger();

  beforeAll(async () => {
    server = await startTestServer(
      { 'max-body-bytes': String(MAX_BODY), 'headers-timeout': '1', 'request-timeout': '1', 'keep-alive-timeout': '1' },
      logs.logger,
    );
  });
  afterAll(() => server?.close());

  const requestLines = (): Record<string, unknown>[] => logs.lines().filter((line) => line.msg === 'request');
  const requestLine = (requestId: string | undefined): Record<string, unknown> | undefined =>
    requestLines().find((line) => line.requestId === requestId);

  /** An answer in the OpenAI-compatible shape whose request id is the X-Request-Id header and the access log's. */
  function expectOpenAIError(response: RawResponse, status: number, code: string): void {
    expect(response.status).toBe(status);
    const body = JSON.parse(response.body) as { error: { code: string; type: string }; request_id: string };
    expect(body.error.code).toBe(code);
    expect(body.request_id).toBe(response.headers['x-request-id']);
    expect(requestLine(body.request_id)).toMatchObject({ status, level: 30 });
  }

  function expectDashScopeError(response: RawResponse, status: number, code: string): void {
    expect(response.status).toBe(status);
    const body = JSON.parse(response.body) as { code: string; request_id: string };
    expect(body.code).toBe(code);
    expect(body.request_id).toBe(response.headers['x-request-id']);
    expect(requestLine(body.request_id)).toMatchObject({ status });
  }

  // Never decoded: these requests are answered before their body is read.
  const chatBody = (bytes: number): string => JSON.stringify({ model: 'any', messages: [{ role: 'user', content: 'x'.repeat(bytes) }] });

  describe('a body over the limit', () => {
    // Far beyond the limit, so most of it is still on its way when the 413 is written.
    const oversized = chatBody(2_000_000);

    it('is answered with a 413 that a raw client reads in full, with the length declared, every time', async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const { received, error } = await rawExchange(server.url, [
          requestHead('POST', CHAT, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(oversized) }),
          oversized,
        ]);
        expect(error, `attempt ${attempt}`).toBeUndefined();
        const response = parseResponse(received);
        expectOpenAIError(response, 413, 'request_too_large');
        expect(response.headers.connection).toBe('close');
      }
    });

    it('is answered with a 413 that a raw client reads in full, sent in chunks, every time', async () => {
      const chunk = `${Buffer.byteLength(oversized).toString(16)}\r\n${oversized}\r\n0\r\n\r\n`;
      for (let attempt = 0; attempt < 3; attempt++) {
        const { received, error } = await rawExchange(server.url, [
          requestHead('POST', GENERATION, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }),
          chunk,
        ]);
        expect(error, `attempt ${attempt}`).toBeUndefined();
        expectDashScopeError(parseResponse(received), 413, 'RequestTooLarge');
      }
    });

    it('lets a raw client read any answer given before its body was read, a 404 outside the API paths here', async () => {
      const { received, error } = await rawExchange(server.url, [
        requestHead('POST', '/nowhere', { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(oversized) }),
        oversized,
      ]);
      expect(error).toBeUndefined();
      expectOpenAIError(parseResponse(received), 404, 'not_found');
    });

    it('is answered with a 413 that fetch reads, as a string and as a stream, every time', async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        for (const body of [oversized, new Blob([oversized]).stream()]) {
          const response = await fetch(`${server.url}${CHAT}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
            duplex: 'half',
          } as RequestInit);
          expect(response.status).toBe(413);
          expect(response.headers.get('connection')).toBe('close');
          expect(await response.json()).toMatchObject({ error: { code: 'request_too_large' }, request_id: response.headers.get('x-request-id') });
        }
      }
    });
  });

  describe('timeouts', () => {
    it('answers headers that do not arrive within --headers-timeout with a 408 in the JSON shape', async () => {
      const { received, error } = await rawExchange(server.url, [`POST ${CHAT} HTTP/1.1\r\nHost: localhost\r\n`, { pauseMs: 3000 }]);
      expect(error).toBeUndefined();
      const response = parseResponse(received);
      expectOpenAIError(response, 408, 'request_timeout');
      expect(response.headers.connection).toBe('close');
    });

    it('answers a body that does not arrive within --request-timeout with a 408 in the wire shape, then closes', async () => {
      const body = chatBody(100);
      for (const [path, expectError] of [
        [CHAT, (response: RawResponse) => expectOpenAIError(response, 408, 'request_timeout')],
        [GENERATION, (response: RawResponse) => expectDashScopeError(response, 408, 'RequestTimeOut')],
      ] as const) {
        // One byte a second, as a slow-loris client sends it.
        const { received, error } = await rawExchange(server.url, [
          requestHead('POST', path, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }),
          ...[...body.slice(0, 4)].flatMap((byte) => [byte, { pauseMs: 1000 }]),
        ]);
        expect(error).toBeUndefined();
        const response = parseResponse(received);
        expectError(response);
        expect(response.headers.connection).toBe('close');
      }
    });

    it('closes an idle keep-alive connection after --keep-alive-timeout without a word', async () => {
      const { received, error } = await rawExchange(server.url, [requestHead('GET', '/health'), { pauseMs: 4000 }]);
      expect(error).toBeUndefined();
      const response = parseResponse(received);
      expect(response.status).toBe(200);
      expect(response.headers['keep-alive']).toBe('timeout=1');
      // Only the one answer came before the close.
      expect(received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    });

    it('does not limit how long a response takes to read, only how long the request takes to arrive', async () => {
      // Cumulative native frames with logprobs for four answers: many times what the socket buffers hold, so the
      // server is still writing while its client stops reading for longer than every request timeout (1 + 2 × 1 s).
      const body = JSON.stringify({
        model: server.modelName,
        input: { messages: [{ role: 'user', content: 'Write.' }] },
        parameters: { n: 4, logprobs: true, top_logprobs: 5, max_tokens: 200, result_format: 'message' },
      });
      const head = requestHead('POST', GENERATION, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-DashScope-SSE': 'enable', Connection: 'close' });
      const { received, error } = await rawExchange(server.url, [head + body, { holdMs: 6000 }]);
      expect(error).toBeUndefined();
      expect(received.length).toBeGreaterThan(16 * 1024 * 1024);
      const response = parseResponse(received.slice(0, 4096));
      expect(response.status).toBe(200);
      expect(requestLine(response.headers['x-request-id'])).toMatchObject({ status: 200 });
      // The stream ran to its end, the last frame and chunk included, rather than being cut.
      const lastFrame = received.slice(received.lastIndexOf('event:result'));
      expect(lastFrame.includes('"finish_reason":"length"')).toBe(true);
      expect(received.endsWith('\r\n0\r\n\r\n')).toBe(true);
    });
  });

  describe('what Node refuses before a request exists', () => {
    it('answers headers over Node\'s limit with a 431 in the wire\'s shape: a 64 KB Authorization, 1,000 headers', async () => {
      const huge = { Authorization: `Bearer ${'k'.repeat(64 * 1024)}` };
      const many = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`X-Header-${index}`, `value-${index}`]));
      for (const headers of [huge, many]) {
        const openai = await rawExchange(server.url, [requestHead('GET', '/compatible-mode/v1/models', headers)]);
        expectOpenAIError(parseResponse(openai.received), 431, 'request_headers_too_large');
        const native = await rawExchange(server.url, [requestHead('POST', GENERATION, headers)]);
        expectDashScopeError(parseResponse(native.received), 431, 'RequestHeadersTooLarge');
      }
      const viaFetch = await fetch(`${server.url}/compatible-mode/v1/models`, { headers: huge });
      expect(viaFetch.status).toBe(431);
      expect(await viaFetch.json()).toMatchObject({ error: { code: 'request_headers_too_large' } });
    });

    it('answers bytes that are not HTTP with a 400 in the JSON shape', async () => {
      const { received } = await rawExchange(server.url, ['HELLO THERE\r\n\r\n']);
      expectOpenAIError(parseResponse(received), 400, 'invalid_parameter_error');
    });
  });

  describe('the access log', () => {
    it('records a client that leaves mid-upload as a client abort (499 at info level), not a fault', async () => {
      const before = logs.lines().length;
      await rawExchange(server.url, [
        requestHead('POST', CHAT, { 'Content-Type': 'application/json', 'Content-Length': 5000 }),
        '{"model":',
        { pauseMs: 200 },
        'leave',
      ]);
      await expect.poll(() => logs.lines().slice(before).find((line) => line.msg === 'request'), { timeout: 5000 }).toMatchObject({ status: 499, level: 30 });
      expect(logs.lines().slice(before).filter((line) => (line.level as number) >= 50)).toEqual([]);
    });

    it('records the status actually sent, outside the API paths and for answers before the routes', async () => {
      for (const [method, path] of [
        ['GET', '/robots.txt'],
        ['GET', '/favicon.ico'],
        ['GET', '/nowhere'],
        ['DELETE', CHAT],
        ['GET', '/compatible-mode/v1/models/nope'],
      ]) {
        const response = await fetch(`${server.url}${path}`, { method });
        await response.arrayBuffer();
        expect(requestLine(response.headers.get('x-request-id') ?? ''), `${method} ${path}`).toMatchObject({ status: response.status, path });
        expect(response.status).toBeGreaterThanOrEqual(400);
      }
    });
  });
});
