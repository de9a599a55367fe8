import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_LIMITS } from '../src/protocols/json-schema-bounds.js';
import { GENERATION_PATH } from './support/dashscope-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

type Schema = Record<string, unknown>;

const range = (count: number): number[] => Array.from({ length: count }, (_, index) => index);

/** Objects nested `levels` deep, as JSON text: deeper than JSON.stringify itself can write. */
function nestedText(levels: number): string {
  return `${'{"type":"object","required":["a"],"properties":{"a":'.repeat(levels)}{"type":"string"}${'}}'.repeat(levels)}`;
}

const bigEnum: Schema = { enum: range(100_000).map((index) => `value-${index}`) };
const missingRef: Schema = { type: 'object', properties: { a: { $ref: '#/$defs/Nope' } }, $defs: { Yes: { type: 'string' } } };
const circularRef: Schema = { $ref: '#/$defs/A', $defs: { A: { $ref: '#/$defs/B' }, B: { anyOf: [{ $ref: '#/$defs/A' }, { type: 'null' }] } } };
/** As many properties as allowed: the schema at the bound that is slowest to compile. */
const widest: Schema = {
  type: 'object',
  properties: Object.fromEntries(range(SCHEMA_LIMITS.properties).map((index) => [`p${index}`, { type: 'integer' }])),
  required: range(SCHEMA_LIMITS.properties).map((index) => `p${index}`),
};

interface SchemaCase {
  readonly name: string;
  /** The schema as JSON text. */
  readonly schema: string;
  /** What the message says, whichever wire. */
  readonly message: RegExp;
  /** Whether the 400 comes from the decoder, which names the field (the grammar's own failures do not). */
  readonly named: boolean;
}

const responseFormatCases: readonly SchemaCase[] = [
  { name: 'an enum of 100,000 entries', schema: JSON.stringify(bigEnum), message: new RegExp(`more than ${SCHEMA_LIMITS.enumValues} values in its enum lists`), named: true },
  { name: 'nesting 10,000 deep', schema: nestedText(10_000), message: new RegExp(`response_format schema nests deeper than ${SCHEMA_LIMITS.depth} levels`), named: true },
  { name: 'a $ref to a missing definition', schema: JSON.stringify(missingRef), message: /\$ref "#\/\$defs\/Nope" that names no schema/, named: true },
  { name: 'circular references', schema: JSON.stringify(circularRef), message: /cannot be turned into a grammar/, named: false },
];

const toolCases: readonly SchemaCase[] = [
  { name: 'nesting 10,000 deep', schema: nestedText(10_000), message: new RegExp(`parameters of tool lookup nests deeper than ${SCHEMA_LIMITS.depth} levels`), named: true },
  { name: 'an enum of 100,000 entries', schema: JSON.stringify({ type: 'object', properties: { k: bigEnum } }), message: /parameters of tool lookup has more than/, named: true },
  { name: 'a $ref to a missing definition', schema: JSON.stringify(missingRef), message: /parameters of tool lookup has a \$ref "#\/\$defs\/Nope"/, named: true },
];

const SCHEMA_SLOT = '"<schema>"';
const messages = [{ role: 'user' as const, content: 'Answer in JSON.' }];
const responseFormat = { type: 'json_schema', json_schema: { name: 'answer', schema: '<schema>' } };
const tools = [{ type: 'function', function: { name: 'lookup', description: 'Looks a thing up.', parameters: '<schema>' } }];

/** A body as JSON text with the schema's text in its slot. */
function bodyWith(body: object, schema: string): string {
  return JSON.stringify(body).replace(SCHEMA_SLOT, schema);
}

describe('JSON schemas past the bounds', () => {
  let server: TestServer;
  let client: OpenAI;

  beforeAll(async () => {
    // Room for the largest bodies here (an enum of 100,000 entries is about 1.4 MB).
    server = await startTestServer({ 'max-body-bytes': String(8 * 1024 * 1024) });
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'none', maxRetries: 0 });
  });
  afterAll(() => server?.close());

  async function send(path: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const openai = (extra: object, schema: string): ReturnType<typeof send> =>
    send('/compatible-mode/v1/chat/completions', bodyWith({ model: server.modelName, messages, max_tokens: 4, ...extra }, schema));
  const native = (parameters: object, schema: string): ReturnType<typeof send> =>
    send(GENERATION_PATH, bodyWith({ model: server.modelName, input: { messages }, parameters: { max_tokens: 4, result_format: 'message', ...parameters } }, schema));

  it.each(responseFormatCases)('OpenAI wire, response_format with $name: 400 naming the bound', async ({ schema, message, named }) => {
    const { status, body } = await openai({ response_format: responseFormat }, schema);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_parameter_error', type: 'invalid_request_error', message: expect.stringMatching(message) });
    if (named) expect(body.error).toMatchObject({ param: 'response_format.json_schema.schema' });
  });

  it.each(responseFormatCases)('native wire, response_format with $name: 400 naming the bound', async ({ schema, message }) => {
    const { status, body } = await native({ response_format: responseFormat }, schema);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'InvalidParameter', request_id: expect.any(String), message: expect.stringMatching(message) });
  });

  it.each(toolCases)('OpenAI wire, tool parameters with $name: 400 naming the tool and the bound', async ({ schema, message }) => {
    const { status, body } = await openai({ tools }, schema);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_parameter_error', param: 'tools[0].function.parameters', message: expect.stringMatching(message) });
  });

  it.each(toolCases)('native wire, tool parameters with $name: 400 naming the tool and the bound', async ({ schema, message }) => {
    const { status, body } = await native({ tools }, schema);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'InvalidParameter', request_id: expect.any(String), message: expect.stringMatching(message) });
  });

  it('refuses replayed tool-call arguments nested 100,000 deep on both wires', async () => {
    const deepArguments = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const replayed = [
      ...messages,
      { role: 'assistant', content: '', tool_calls: [{ id: 'call-1', type: 'function', function: { name: 'lookup', arguments: deepArguments } }] },
      { role: 'tool', tool_call_id: 'call-1', content: 'found' },
    ];
    const message = `The arguments of a tool call nest deeper than ${SCHEMA_LIMITS.depth} levels, the most Studio allows.`;
    const fromOpenai = await send('/compatible-mode/v1/chat/completions', JSON.stringify({ model: server.modelName, messages: replayed, max_tokens: 2 }));
    expect(fromOpenai.status).toBe(400);
    expect(fromOpenai.body.error).toMatchObject({ code: 'invalid_parameter_error', param: 'messages[1].tool_calls[0].function.arguments', message });
    const fromNative = await send(GENERATION_PATH, JSON.stringify({ model: server.modelName, input: { messages: replayed }, parameters: { max_tokens: 2, result_format: 'message' } }));
    expect(fromNative.status).toBe(400);
    expect(fromNative.body).toMatchObject({ code: 'InvalidParameter', message });
  });

  it('answers a forced call whose parameters nest as deep as allowed', async () => {
    const completion = await client.chat.completions.create({
      model: server.modelName,
      messages,
      max_tokens: 4,
      // Two levels of JSON a level of objects, one for the root: as deep as the bound allows.
      tools: [{ ...tools[0], function: { name: 'lookup', parameters: JSON.parse(nestedText(Math.floor((SCHEMA_LIMITS.depth - 1) / 2))) as Schema } }] as never,
      tool_choice: 'required',
    });
    expect(completion.choices[0]?.finish_reason).toMatch(/^(length|tool_calls)$/);
  });

  it('answers /health promptly while a schema at the bound is compiled, then answers the request', async () => {
    const request = client.chat.completions.create({
      model: server.modelName,
      messages,
      max_tokens: 2,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: widest } },
    });
    const waits: number[] = [];
    let done = false;
    void request.finally(() => (done = true)).catch(() => {});
    while (!done) {
      const start = performance.now();
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      waits.push(performance.now() - start);
    }
    expect((await request).choices[0]?.finish_reason).toBe('length');
    // Only a frozen event loop misses this; a compile on it took seconds before the bounds.
    expect(Math.max(...waits)).toBeLessThan(2_000);
  });
});
