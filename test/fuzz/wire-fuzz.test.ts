// Hostile bodies against a real server on both wires: only 4xx (2xx when valid) in the wire's own shape, never a 5xx,
// and a normal stream beside them still gets its first byte about as soon as it does alone.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openaiErrorTable } from '../../src/protocols/openai/render-error.js';
import { GENERATION_PATH } from '../support/dashscope-client.js';
import { memoryLogger, startTestServer, type TestServer } from '../support/test-server.js';
import { nativeBody, openaiBody } from './arbitraries.js';
import { deepSchema, isVerbatim, toJsonText } from './json-text.js';

const CONTEXT = 512;
const MAX_TOKENS = 2;
/** Generated bodies per wire and kind (junk in fields, or well-typed): 300 in all. */
const BODIES = 75;
/** Bodies in flight at once; the probe stream comes on top. */
const CONCURRENCY = 3;
const SEED = 16;

type Wire = 'openai' | 'native';
const paths: Record<Wire, string> = { openai: '/compatible-mode/v1/chat/completions', native: GENERATION_PATH };

const MODEL = 'fuzz-model';
const JSON_HEADERS = { 'Content-Type': 'application/json' };

interface Sent {
  readonly wire: Wire;
  readonly name: string;
  readonly body: string | Uint8Array;
  readonly headers?: Record<string, string>;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

const MAX_MESSAGE_LENGTH = 2000;

const shapes = {
  openai: {
    ok: z.object({ object: z.literal('chat.completion'), choices: z.array(z.unknown()).min(1) }),
    // A message quotes at most a little of what the client sent, however large that was.
    error: z.object({ error: z.object({ message: z.string().max(MAX_MESSAGE_LENGTH), type: z.string(), param: z.string().nullable(), code: z.string() }) }),
  },
  native: {
    ok: z.object({ request_id: z.string(), output: z.object({}) }),
    error: z.object({ request_id: z.string(), code: z.string(), message: z.string().max(MAX_MESSAGE_LENGTH) }),
  },
};

/** A server error, or an answer not in the wire's shape; undefined when the answer is one the wire allows. */
function problemOf(wire: Wire, { status, contentType, text }: Answer): string | undefined {
  if (status >= 500 || status < 200) return `status ${status}: ${text.slice(0, 300)}`;
  if (contentType.includes('text/event-stream')) return status === 200 ? streamProblem(wire, text) : `status ${status} with a stream`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `status ${status} with a body that is not JSON: ${text.slice(0, 300)}`;
  }
  const shape = status < 300 ? shapes[wire].ok : shapes[wire].error;
  return shape.safeParse(body).success ? undefined : `status ${status} with a body not in the ${wire} wire's shape: ${text.slice(0, 300)}`;
}

/** An in-stream error frame is allowed only for what would have been a 4xx. */
function streamProblem(wire: Wire, text: string): string | undefined {
  for (const frame of text.split(/\r?\n\r?\n/)) {
    if (wire === 'native') {
      const status = /^:HTTP_STATUS\/(\d+)$/m.exec(frame)?.[1];
      if (/^event:error$/m.test(frame) && Number(status) >= 500) return `an in-stream error: ${frame}`;
      continue;
    }
    const data = /^data: ?(.*)$/m.exec(frame)?.[1];
    if (data === undefined || data === '[DONE]') continue;
    const error = (JSON.parse(data) as { error?: { code: string; type: string } }).error;
    const mapping = error === undefined ? undefined : Object.values(openaiErrorTable).find(({ code, type }) => code === error.code && type === error.type);
    if (error !== undefined && (mapping === undefined || mapping.status >= 500)) return `an in-stream error: ${frame}`;
  }
  return undefined;
}

/** Bodies with no token limit would run to the end of the context: they get a small one. */
function withSmallLimit(wire: Wire, body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || isVerbatim(body)) return body;
  const fields = body as Record<string, unknown>;
  if (wire === 'openai') return fields.max_tokens == null && fields.max_completion_tokens == null ? { ...fields, max_tokens: MAX_TOKENS } : body;
  const parameters = fields.parameters ?? {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters) || isVerbatim(parameters)) return body;
  const { max_tokens: maxTokens, max_length: maxLength } = parameters as Record<string, unknown>;
  return maxTokens == null && maxLength == null ? { ...fields, parameters: { ...parameters, max_tokens: MAX_TOKENS } } : body;
}

function generated(): Sent[] {
  const maxTokens = fc.constantFrom(1, MAX_TOKENS);
  const sample = (wire: Wire, junkWeight: number): Sent[] => {
    const arbitrary = (wire === 'openai' ? openaiBody : nativeBody)({ model: MODEL, junkWeight, maxTokens });
    return fc.sample(arbitrary, { numRuns: BODIES, seed: SEED + junkWeight }).map((body, index) => ({
      wire,
      name: `${wire} ${junkWeight === 0 ? 'well-typed' : 'junk'} body #${index}`,
      body: toJsonText(withSmallLimit(wire, body)),
    }));
  };
  return [...sample('openai', 1), ...sample('openai', 0), ...sample('native', 1), ...sample('native', 0)];
}

type CaseBody = Pick<Sent, 'body' | 'headers'>;

interface IssueCase {
  readonly name: string;
  readonly status: number;
  readonly openai: CaseBody;
  readonly native: CaseBody;
}

const chat = (extra: object, content = 'Answer in JSON.'): CaseBody => ({ body: toJsonText({ model: MODEL, messages: [{ role: 'user', content }], max_tokens: MAX_TOKENS, ...extra }) });
const generation = (parameters: object, content = 'Answer in JSON.'): CaseBody => ({
  body: toJsonText({ model: MODEL, input: { messages: [{ role: 'user', content }] }, parameters: { result_format: 'message', max_tokens: MAX_TOKENS, ...parameters } }),
});
const both = (name: string, status: number, extra: object, content?: string): IssueCase => ({ name, status, openai: chat(extra, content), native: generation(extra, content) });
const same = (name: string, status: number, sent: CaseBody): IssueCase => ({ name, status, openai: sent, native: sent });
const tool = (parameters: object) => ({ tools: [{ type: 'function', function: { name: 'lookup', parameters } }] });
const schema = (value: object) => ({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: value } } });
const withHeaders = ({ body }: CaseBody, contentType: string): CaseBody => ({ body, headers: { 'Content-Type': contentType } });
/** A body with bytes that are no UTF-8 in the middle of its prompt. */
const notUtf8 = ({ body }: CaseBody): CaseBody => {
  const [before = '', after = ''] = String(body).split('Answer');
  return { body: Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`Answer${after}`)]) };
};

const megabyteToolCall = [
  { role: 'user', content: 'Look it up.' },
  { role: 'assistant', content: '', tool_calls: [{ id: 'c'.repeat(1_000_000), type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
];

/** The issue's cases and the odd bodies no generator writes, each on both wires. */
const issueCases: readonly IssueCase[] = [
  both('a prompt of "hello " × 123,500', 400, {}, 'hello '.repeat(123_500)),
  both('a prompt of "a" × 3,000,000', 400, {}, 'a'.repeat(3_000_000)),
  both('a prompt of "你好" × 500,000', 400, {}, '你好'.repeat(500_000)),
  both('tool parameters nested 10,000 deep', 400, tool(deepSchema(10_000))),
  both('tool parameters with a $ref to a missing definition', 400, tool({ type: 'object', properties: { a: { $ref: '#/$defs/Nope' } } })),
  both('a json_schema with a $ref to a missing definition', 400, schema({ $ref: '#/$defs/Nope' })),
  both('a json_schema enum of 100,000 strings', 400, schema({ enum: Array.from({ length: 100_000 }, (_, index) => `value-${String(index).padStart(6, '0')}`) })),
  both('a json_schema nested 10,000 deep', 400, schema(deepSchema(10_000))),
  both('a json_schema no value can match (an empty enum)', 400, schema({ enum: [] })),
  both('tool parameters no value can match (minLength above maxLength)', 400, tool({ type: 'object', properties: { a: { type: 'string', minLength: 5, maxLength: 2 } } })),
  {
    name: 'a replayed tool call with an id of a megabyte and no result',
    status: 400,
    openai: chat({ messages: megabyteToolCall, ...tool({ type: 'object', properties: {} }) }),
    native: { body: toJsonText({ model: MODEL, input: { messages: megabyteToolCall }, parameters: { result_format: 'message', max_tokens: MAX_TOKENS, ...tool({ type: 'object', properties: {} }) } }) },
  },
  both('1,000 stop strings', 400, { stop: Array.from({ length: 1000 }, (_, index) => `stop-${index}`) }),
  both('NUL bytes and lone surrogates in the prompt and the stop strings', 200, { stop: ['\0', '\ud800'] }, 'a\0b\ud800c\udfff\ud83d'),
  both('a seed of 2**64', 400, { seed: 2 ** 64 }),
  both('numbers at the edges of what both wires take', 200, { temperature: 5e-324, top_p: 5e-324, top_k: Number.MAX_SAFE_INTEGER, seed: 2 ** 31 - 1, repetition_penalty: 1e300, presence_penalty: -2, frequency_penalty: 2 }),
  {
    name: 'max_tokens of 1e309',
    status: 400,
    openai: { body: String(chat({}).body).replace(`"max_tokens":${MAX_TOKENS}`, '"max_tokens":1e309') },
    native: { body: String(generation({}).body).replace(`"max_tokens":${MAX_TOKENS}`, '"max_tokens":1e309') },
  },
  {
    name: 'an image where text is expected',
    status: 400,
    openai: chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }] }),
    native: { body: toJsonText({ model: MODEL, input: { messages: [{ role: 'user', content: [{ image: 'data:,' }] }] } }) },
  },
  same('truncated JSON', 400, { body: '{"model":' }),
  same('two JSON documents', 400, { body: '{}{}' }),
  same('an empty body', 400, { body: '' }),
  same('a JSON array', 400, { body: '[]' }),
  same('a JSON string', 400, { body: '"hello"' }),
  same('100,000 unclosed brackets', 400, { body: '['.repeat(100_000) }),
  same('an array nested 100,000 deep', 400, { body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }),
  same('a form-encoded body', 400, { body: `model=${MODEL}&messages=hi`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
  { name: 'JSON sent as text/plain, read as JSON', status: 200, openai: withHeaders(chat({}), 'text/plain'), native: withHeaders(generation({}), 'text/plain') },
  { name: 'JSON sent as multipart/form-data, read as JSON', status: 200, openai: withHeaders(chat({}), 'multipart/form-data; boundary=x'), native: withHeaders(generation({}), 'multipart/form-data; boundary=x') },
  { name: 'bytes that are not UTF-8 in the prompt, read as U+FFFD', status: 200, openai: notUtf8(chat({})), native: notUtf8(generation({})) },
  both('a body over the limit of 4 MiB', 413, {}, 'a'.repeat(5 * 1024 * 1024)),
  {
    name: 'a 64 KiB Authorization header',
    status: 431,
    openai: { ...chat({}), headers: { ...JSON_HEADERS, Authorization: `Bearer ${'k'.repeat(64 * 1024)}` } },
    native: { ...generation({}), headers: { ...JSON_HEADERS, Authorization: `Bearer ${'k'.repeat(64 * 1024)}` } },
  },
];

/** Time to the first byte of a small stream's body, in ms. */
async function firstByteMs(server: TestServer): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}${paths.openai}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hello.' }], stream: true, max_tokens: 4 }),
    signal: AbortSignal.timeout(60_000),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  const elapsed = performance.now() - started;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
  return elapsed;
}

/** Probes one after another while `work` runs; the first-byte times they saw. */
async function probing(server: TestServer, work: () => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  let running = true;
  const probes = (async () => {
    do times.push(await firstByteMs(server));
    while (running);
  })();
  try {
    await work();
  } finally {
    running = false;
    await probes;
  }
  return times;
}

describe('wire fuzzing against a real server', () => {
  let server: TestServer;
  let log: ReturnType<typeof memoryLogger>;
  /** Median first-byte time of the probe stream on a server with nothing else to do. */
  let baselineMs: number;
  let boundMs: number;

  beforeAll(async () => {
    log = memoryLogger();
    server = await startTestServer({ ctx: String(CONTEXT), parallel: '16', 'model-name': MODEL }, log.logger);
    await firstByteMs(server);
    const alone: number[] = [];
    for (let probe = 0; probe < 5; probe++) alone.push(await firstByteMs(server));
    baselineMs = alone.sort((a, b) => a - b)[2] ?? 0;
    // Generous on purpose: only a stalled event loop or a starved batch is caught, never ordinary noise.
    boundMs = Math.max(5 * baselineMs, baselineMs + 2000);
  });
  afterAll(() => server?.close());

  async function send({ wire, body, headers = JSON_HEADERS }: Omit<Sent, 'name'>): Promise<Answer> {
    const response = await fetch(`${server.url}${paths[wire]}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  }

  it('answers a few hundred generated bodies on both wires with 2xx or 4xx in the wire shape, and a stream beside them keeps its first-byte time', async () => {
    const queue = generated();
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    const firstBytes = await probing(server, async () => {
      const worker = async (): Promise<void> => {
        for (let sent = queue.shift(); sent !== undefined; sent = queue.shift()) {
          const answer = await send(sent);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const problem = problemOf(sent.wire, answer);
          if (problem !== undefined) problems.push(`${sent.name}: ${problem}\n  body: ${sent.body.slice(0, 500)}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    });
    expect(problems).toEqual([]);
    // Both kinds of answer were seen: the bodies reach the engine, not only the decoder.
    expect(statuses.get(200)).toBeGreaterThan(10);
    expect(statuses.get(400)).toBeGreaterThan(100);
    expect(firstBytes.length).toBeGreaterThan(2);
    expect(Math.max(...firstBytes), `baseline ${baselineMs.toFixed(0)} ms; beside the fuzzing: ${firstBytes.map(Math.round).join(', ')}`).toBeLessThan(boundMs);
  });

  const rows = issueCases.flatMap(({ name, status, openai, native }) => [
    { wire: 'openai' as const, name, status, sent: openai },
    { wire: 'native' as const, name, status, sent: native },
  ]);

  it.each(rows)('$wire: $name → $status, with the probe stream beside it on time', async ({ wire, status, sent }) => {
    let answer: Answer = { status: 0, contentType: '', text: 'no answer' };
    const firstBytes = await probing(server, async () => {
      answer = await send({ wire, ...sent });
    });
    expect(problemOf(wire, answer)).toBeUndefined();
    expect(answer.status, answer.text.slice(0, 300)).toBe(status);
    expect(Math.max(...firstBytes), `baseline ${baselineMs.toFixed(0)} ms; beside it: ${firstBytes.map(Math.round).join(', ')}`).toBeLessThan(boundMs);
  });

  it('logged no internal fault', () => {
    const faults = log.lines().filter((line) => Number(line.level) >= 50 || line.outcome === 'internal');
    expect(faults.map((line) => JSON.stringify(line).slice(0, 500))).toEqual([]);
  });
});
