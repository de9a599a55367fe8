import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATION_PATH, parseSse } from './support/dashscope-client.js';
import { eventually, memoryLogger, startTestServer, type TestServer } from './support/test-server.js';

const CHOICES = 4;
const MAX_TOKENS = 200;
/** Cumulative packets (non-incremental output) with logprobs: about 40 MB for the whole stream. */
const heavyStream = {
  input: { messages: [{ role: 'user', content: 'Tell me a long story.' }] },
  parameters: { n: CHOICES, max_tokens: MAX_TOKENS, logprobs: true, top_logprobs: 5, result_format: 'message', incremental_output: false, temperature: 1, seed: 3 },
};
/** Long enough for decoding to end on a busy machine, short enough to catch a hang. */
const DECODE_DEADLINE_MS = 60_000;

interface RawResponse {
  readonly head: string;
  readonly body: string;
  /** The chunked body's last chunk arrived: the server ended the response rather than cutting it. */
  readonly complete: boolean;
}

/** Splits a chunked HTTP/1.1 response into its head and body. */
function parseChunked(raw: Buffer): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, headEnd).toString();
  const chunks: Buffer[] = [];
  const result = (complete: boolean): RawResponse => ({ head, body: Buffer.concat(chunks).toString(), complete });
  for (let at = headEnd + 4; ; ) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) return result(false);
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString(), 16);
    if (size === 0) return result(true);
    if (lineEnd + 2 + size > raw.length) return result(false);
    chunks.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** A raw client that sends a streamed native request and then reads nothing until told to. */
async function stalledStream(server: TestServer): Promise<{ socket: Socket; readToClose: () => Promise<RawResponse> }> {
  const url = new URL(server.url);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  await once(socket, 'connect');
  socket.pause();
  const body = JSON.stringify({ model: server.modelName, ...heavyStream });
  socket.write(
    `POST ${GENERATION_PATH} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nX-DashScope-SSE: enable\r\n` +
      `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const readToClose = async (): Promise<RawResponse> => {
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = once(socket, 'close');
    socket.resume();
    await closed;
    return parseChunked(Buffer.concat(received));
  };
  return { socket, readToClose };
}

function requestIdOf(response: RawResponse): string | undefined {
  return /^x-request-id: (.+)$/im.exec(response.head)?.[1];
}

describe('a client that stops reading', () => {
  describe('while it stays connected', () => {
    let server: TestServer;
    const logs = memoryLogger();

    beforeAll(async () => {
      // No queue: a request that finds no free sequence is turned away at once.
      server = await startTestServer({ parallel: String(CHOICES), 'max-queue': '0', 'write-timeout': '600' }, logs.logger);
    });
    afterAll(() => server?.close());

    it('holds its sequences only until decoding ends, and what is buffered for it stays bounded', async () => {
      const memoryBefore = process.memoryUsage().arrayBuffers;
      const stalled = await stalledStream(server);
      await eventually(() => server.engine.stats.sequencesInUse === CHOICES, DECODE_DEADLINE_MS);
      await eventually(() => server.engine.stats.sequencesInUse === 0, DECODE_DEADLINE_MS);
      const buffered = process.memoryUsage().arrayBuffers - memoryBefore;

      const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
      const other = await client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
      expect(other.usage?.completion_tokens).toBe(3);

      // The stalled stream is still whole: every packet comes once the client reads again.
      const response = await stalled.readToClose();
      expect(response.complete).toBe(true);
      const packets = parseSse(response.body).map((event) => JSON.parse(event.data) as { usage: { output_tokens: number } });
      expect(packets.at(-1)?.usage.output_tokens).toBe(CHOICES * MAX_TOKENS);
      expect(buffered).toBeLessThan(response.body.length / 4);
      const line = logs.lines().find((entry) => entry.msg === 'generation' && entry.requestId === requestIdOf(response));
      expect(line).toMatchObject({ outcome: 'completed', outputTokens: CHOICES * MAX_TOKENS });
    }, 3 * DECODE_DEADLINE_MS);
  });

  describe('past the write timeout', () => {
    let server: TestServer;
    const logs = memoryLogger();

    beforeAll(async () => {
      server = await startTestServer({ parallel: String(CHOICES), 'write-timeout': '1' }, logs.logger);
    });
    afterAll(() => server?.close());

    it('is cut off, its generation ends as timed out, and its sequences serve others', async () => {
      const stalled = await stalledStream(server);
      await eventually(() => logs.lines().some((entry) => entry.msg === 'generation'), DECODE_DEADLINE_MS);

      const response = await stalled.readToClose();
      expect(response.complete).toBe(false);
      const line = logs.lines().find((entry) => entry.msg === 'generation');
      expect(line).toMatchObject({ requestId: requestIdOf(response), outcome: 'timeout' });
      expect(logs.lines().filter((entry) => (entry.level as number) >= 50)).toEqual([]);

      await eventually(() => server.engine.stats.sequencesInUse === 0);
      const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
      const other = await client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
      expect(other.usage?.completion_tokens).toBe(3);
    }, 3 * DECODE_DEADLINE_MS);
  });
});
