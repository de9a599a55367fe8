// Generators of hostile request bodies for both wires: wrong types, extreme numbers, odd strings, pathological schemas.
import fc from 'fast-check';
import { deepSchema, nested, rawJson } from './json-text.js';

export interface BodyOptions {
  /** The model every well-formed body names. */
  readonly model: string;
  /** Weight of junk against a well-typed value in each field; 0: every field has its right type. */
  readonly junkWeight: number;
  /** What `max_tokens` may be: small on a real server, anything in a decoder. */
  readonly maxTokens: fc.Arbitrary<unknown>;
}

/** A field's arbitrary from its well-typed values: with junk mixed in, or not. */
type Field = <T>(valid: fc.Arbitrary<T>) => fc.Arbitrary<unknown>;

/** Mostly `usual`, now and then `odd`: values of the right type that are still wrong. */
function mostly(usual: fc.Arbitrary<unknown>, odd: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd });
}

/** Numbers at every edge: non-finite, -0, past 2**53 and 2**63, denormal, and the ranges' own bounds. */
export const extremeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 2 ** 64, -(2 ** 64), 2 ** 63, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 2 ** 31, 2 ** 31 - 1, 2 ** 32),
  fc.constantFrom(Number.MAX_VALUE, Number.MIN_VALUE, 1e300, -1, 0.5, 1e-7, 1, 2, 1.999, 4, 5, 20, 21, 100, 101, -2, 2.0001),
  fc.double(),
  fc.integer(),
);

/** Number literals as raw JSON text: what JSON.parse makes of them (Infinity, -0, 0, a rounded integer) is the test. */
export const extremeNumberText: fc.Arbitrary<object> = fc
  .constantFrom('1e309', '-1e309', '1E400', '-0', '-0.0', '18446744073709551616', '1e-400', '-1e-400', '9007199254740993', '4.9e-324', '1.0', '2e0', '123456789012345678901234567890')
  .map(rawJson);

/** Lone surrogates, NUL bytes, bidi controls and Qwen's own special tokens, alone and inside text. */
const oddPiece = fc.constantFrom('\0', '\ud800', '\udfff', '\ud83d', '\ud83d\ude00', '\u202e', '\ufeff', '\u0085', '<|im_end|>', '<|im_start|>', '<tool_call>', '</think>', 'json', '"', '\\', '\n');

/** Short odd strings, and now and then 10,000 characters (megabytes are the e2e suite's and single tests' part). */
const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.oneof(oddPiece, fc.string({ minLength: 1, maxLength: 3 })), maxLength: 12 }),
  fc.constantFrom('', '__proto__', 'constructor', 'toString', 'x'.repeat(10_000)),
);

const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'then', 'type', 'role', 'content', '$ref', '', '\0', '\ud800'), fc.string({ maxLength: 8 }));

function makeJunk(): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(extremeNumber, extremeNumberText, oddString, fc.boolean(), fc.constant(null));
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 })),
  }));
  return fc.oneof({ weight: 12, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom(nested(10_000, 'array'), nested(10_000, 'object'), [], {}) });
}

/** Any JSON value, with hostile keys and 10,000-deep nesting among them. */
export const junk = makeJunk();

const schemaKeyword = fc.constantFrom(
  'type', 'properties', 'required', 'items', 'prefixItems', 'enum', 'const', 'oneOf', 'anyOf', 'allOf', 'not', '$ref', '$defs', 'definitions',
  'additionalProperties', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'pattern', 'format', 'minimum', 'description', 'title', 'default',
);
const schemaType = fc.constantFrom('object', 'string', 'number', 'integer', 'boolean', 'null', 'array', 'any', 'function', '');

/** Cycles, missing targets, empty unions, impossible bounds and the 10,000-deep and 100,000-entry cases. */
const pathologicalSchemas: readonly Record<string, unknown>[] = [
  { $ref: '#/$defs/Nope' },
  { $ref: '#' },
  { $ref: 'http://example.invalid/schema.json' },
  { $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' },
  { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, type: 'object', properties: { x: { $ref: '#/$defs/a' } } },
  { type: 'object', properties: { list: { type: 'array', items: { $ref: '#' } } } },
  { enum: [] },
  { oneOf: [] },
  { type: [] },
  { type: ['string', 'null', 'object'] },
  { type: 'array', minItems: 1e9, items: { type: 'string' } },
  { type: 'string', minLength: 100_000 },
  { type: 'string', minLength: 5, maxLength: 2 },
  { type: 'array', minItems: -1, maxItems: 1.5 },
  { type: 'object', properties: Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`p${index}`, { type: 'string' }])), required: ['nope'] },
  { enum: Array.from({ length: 1000 }, (_, index) => `value-${index}`) },
  { const: nested(10_000, 'object') },
  deepSchema(100),
  deepSchema(10_000),
];

function makeJsonSchema(): fc.Arbitrary<unknown> {
  const { schema } = fc.letrec<{ schema: unknown }>((tie) => ({
    schema: fc.oneof(
      { depthSize: 'small' },
      fc.record({ type: schemaType, description: oddString, enum: fc.array(junk, { maxLength: 3 }) }, { requiredKeys: [] }),
      fc.dictionary(
        schemaKeyword,
        fc.oneof(junk, tie('schema'), fc.array(tie('schema'), { maxLength: 3 }), fc.dictionary(hostileKey, tie('schema'), { maxKeys: 3 })),
        { maxKeys: 4 },
      ),
    ),
  }));
  return fc.oneof({ weight: 4, arbitrary: schema }, { weight: 1, arbitrary: fc.constantFrom(...pathologicalSchemas) });
}

/** Garbage and pathological JSON Schemas, for tool parameters and structured output. */
const jsonSchema = makeJsonSchema();

/** Schemas a grammar can enforce, with odd property names and enum values: they reach generation. */
const { simpleSchema } = fc.letrec<{ simpleSchema: unknown }>((tie) => ({
  simpleSchema: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom({ type: 'string' }, { type: 'number' }, { type: 'integer' }, { type: 'boolean' }, { type: 'null' }),
    fc.record({ type: fc.constant('string'), enum: fc.array(oddString, { minLength: 1, maxLength: 4 }) }),
    fc.record({ type: fc.constant('array'), items: tie('simpleSchema'), maxItems: fc.constant(2) }),
    fc.record({ type: fc.constant('object'), properties: fc.dictionary(oddString, tie('simpleSchema'), { maxKeys: 3 }), additionalProperties: fc.constant(false) }),
  ),
}));

/** Well-typed bodies mostly carry schemas that reach generation; the others any schema at all. */
function schemas(options: BodyOptions): fc.Arbitrary<unknown> {
  return options.junkWeight === 0 ? mostly(simpleSchema, jsonSchema) : jsonSchema;
}

function tool(options: BodyOptions, field: Field): fc.Arbitrary<unknown> {
  const name = fc.oneof(fc.constantFrom('get_weather', 'a b', '}', 'x'.repeat(10_000)), oddString);
  return fc.record({
    type: field(fc.constant('function')),
    function: field(fc.record({ name: field(name), description: field(oddString), parameters: field(schemas(options)) }, { requiredKeys: ['name'] })),
  });
}

function toolCall(field: Field): fc.Arbitrary<unknown> {
  const argumentsText = fc.oneof(fc.constantFrom('{}', '{"city":"Hangzhou"}', '[1,', 'null', '"x"', '1e309', `${'['.repeat(10_000)}${']'.repeat(10_000)}`), oddString);
  return fc.record(
    { id: field(fc.oneof(fc.constant('call_1'), oddString)), type: field(fc.constant('function')), function: field(fc.record({ name: field(oddString), arguments: field(argumentsText) })) },
    { requiredKeys: ['id', 'function'] },
  );
}

/** A message of the wire: `roles` are its plain roles, `content` its own content arbitrary. */
function message(roles: readonly string[], content: fc.Arbitrary<unknown>, field: Field): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ role: field(fc.constantFrom(...roles)), content }) },
    {
      weight: 2,
      arbitrary: fc.record({ role: field(fc.constant('assistant')), content, tool_calls: field(fc.array(toolCall(field), { maxLength: 2 })), partial: field(fc.boolean()) }, { requiredKeys: ['role'] }),
    },
    { weight: 1, arbitrary: fc.record({ role: field(fc.constant('tool')), content, tool_call_id: field(fc.oneof(fc.constant('call_1'), oddString)) }) },
  );
}

/** Text parts; with junk, also parts of other types, parts missing their text, and values that are no part at all. */
function contentParts(options: BodyOptions, field: Field): fc.Arbitrary<unknown> {
  const textPart = fc.record({ type: field(fc.constant('text')), text: field(oddString) });
  const oddPart = fc.constantFrom({ type: 'image_url', image_url: { url: 'data:,' } }, { type: 'text' }, { type: 'text', text: 1 }, { text: 'x' }, { type: 'input_audio' }, null, 'text', []);
  return fc.array(options.junkWeight === 0 ? textPart : fc.oneof(textPart, oddPart), { maxLength: 4 });
}

function responseFormat(options: BodyOptions, field: Field): fc.Arbitrary<unknown> {
  const schema = fc.record({
    type: field(fc.constant('json_schema')),
    json_schema: field(fc.record({ name: field(fc.oneof(fc.constant('answer'), oddString)), schema: field(schemas(options)), strict: field(fc.boolean()) }, { requiredKeys: ['name', 'schema'] })),
  });
  return mostly(fc.oneof(fc.constantFrom({ type: 'text' }, { type: 'json_object' }), schema), fc.constantFrom({ type: 'json_schema' }, { type: 'xml' }));
}

const toolChoice = mostly(
  fc.constantFrom('auto', 'none', 'required', { type: 'function', function: { name: 'get_weather' } }),
  fc.constantFrom('any', { type: 'function', function: { name: 'nope' } }, { type: 'function' }),
);

/** 1,000 texts, token ids or sequences: past every documented count. */
const thousand = <T>(make: (index: number) => T): T[] => Array.from({ length: 1000 }, (_, index) => make(index));

const stopStrings: fc.Arbitrary<unknown> = mostly(fc.oneof(oddString, fc.array(oddString, { maxLength: 16 })), fc.oneof(fc.array(oddString, { minLength: 17, maxLength: 20 }), fc.constant(thousand((index) => `stop-${index}`))));

/** The native wire's stop also takes token ids (`int[]`, `int[][]`), which must not be mixed with texts. */
function makeNativeStop(): fc.Arbitrary<unknown> {
  const id = mostly(fc.nat(200_000), extremeNumber);
  return mostly(
    fc.oneof(stopStrings, fc.array(fc.nat(200_000), { maxLength: 6 }), fc.array(fc.array(fc.nat(200_000), { maxLength: 4 }), { maxLength: 16 })),
    fc.oneof(
      fc.array(id, { maxLength: 6 }),
      fc.array(fc.array(id, { maxLength: 4 }), { maxLength: 20 }),
      fc.constantFrom([1, 'a'], [[1], 'a'], [[1], [[2]]], [[]], [], thousand((index) => index), thousand((index) => [index])),
    ),
  );
}

const nativeStop = makeNativeStop();

/** A numeric field: in its range, or at every edge (rarely in well-typed bodies, so that most of them pass). */
function numbers(options: BodyOptions, lo: number, hi: number, kind: 'integer' | 'real'): fc.Arbitrary<unknown> {
  const integers = fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) });
  const inRange = kind === 'integer' ? integers : fc.oneof(fc.double({ min: lo, max: hi, noNaN: true }), integers);
  return fc.oneof({ weight: options.junkWeight === 0 ? 30 : 2, arbitrary: inRange }, { weight: 1, arbitrary: extremeNumber }, { weight: 1, arbitrary: extremeNumberText });
}

/**
 * The fields both wires spell alike, with `field` deciding how often each holds junk. Well-typed bodies
 * leave most of them out, so that their cross-field rules pass often enough for generation to run.
 */
function sharedFields(options: BodyOptions, field: Field): Record<string, fc.Arbitrary<unknown>> {
  const fields = {
    temperature: field(numbers(options, 0, 2, 'real')),
    top_p: field(numbers(options, 0.01, 1, 'real')),
    top_k: field(numbers(options, 0, 200, 'integer')),
    seed: field(numbers(options, 0, 2 ** 31, 'integer')),
    max_tokens: field(options.maxTokens),
    n: field(numbers(options, 1, 4, 'integer')),
    logprobs: field(fc.boolean()),
    top_logprobs: field(numbers(options, 0, 5, 'integer')),
    presence_penalty: field(numbers(options, -2, 2, 'real')),
    frequency_penalty: field(numbers(options, -2, 2, 'real')),
    repetition_penalty: field(numbers(options, 0.5, 2, 'real')),
    tools: field(fc.array(tool(options, field), { maxLength: 3 })),
    tool_choice: field(toolChoice),
    parallel_tool_calls: field(fc.boolean()),
    response_format: field(responseFormat(options, field)),
    enable_thinking: field(fc.boolean()),
    thinking_budget: field(numbers(options, 1, 100, 'integer')),
  };
  if (options.junkWeight !== 0) return fields;
  return Object.fromEntries(Object.entries(fields).map(([name, arbitrary]) => [name, name === 'max_tokens' ? arbitrary : fc.option(arbitrary, { nil: undefined, freq: 2 })]));
}

/** Well-typed bodies that list top_logprobs ask for logprobs too, as the rule wants; the others break it as they like. */
function withTopLogprobsAsked<Fields extends Record<string, unknown>>(options: BodyOptions, fields: Fields): Fields {
  return options.junkWeight === 0 && fields.top_logprobs !== undefined ? { ...fields, logprobs: true } : fields;
}

function fieldMaker(options: BodyOptions): Field {
  if (options.junkWeight === 0) return (valid) => valid;
  return (valid) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: options.junkWeight, arbitrary: junk });
}

/** A body of POST /chat/completions; now and then not even an object. */
export function openaiBody(options: BodyOptions): fc.Arbitrary<unknown> {
  const field = fieldMaker(options);
  const content = field(fc.oneof(oddString, contentParts(options, field)));
  const body = fc.record(
    {
      model: field(fc.constant(options.model)),
      messages: field(fc.array(message(['system', 'user', 'developer'], content, field), { minLength: 1, maxLength: 4 })),
      stream: field(fc.boolean()),
      stream_options: field(fc.record({ include_usage: field(fc.boolean()) })),
      max_completion_tokens: field(options.maxTokens),
      stop: field(stopStrings),
      ...sharedFields(options, field),
    },
    { requiredKeys: ['model', 'messages'] },
  ).map((fields) => withTopLogprobsAsked(options, fields));
  return options.junkWeight === 0 ? body : fc.oneof({ weight: 12, arbitrary: body }, { weight: 1, arbitrary: junk });
}

/** A body of the native generation endpoint; now and then not even an object. */
export function nativeBody(options: BodyOptions): fc.Arbitrary<unknown> {
  const field = fieldMaker(options);
  const input = fc.record(
    {
      messages: field(fc.array(message(['system', 'user'], field(oddString), field), { minLength: 1, maxLength: 4 })),
      prompt: field(oddString),
      history: field(fc.array(fc.record({ user: field(oddString), bot: field(oddString) }), { maxLength: 2 })),
    },
    { requiredKeys: [] },
  );
  const parameters = fc.record(
    {
      result_format: field(options.junkWeight === 0 ? mostly(fc.constant('message'), fc.constant('text')) : fc.constantFrom('text', 'message')),
      incremental_output: field(fc.boolean()),
      stream: field(fc.boolean()),
      max_length: field(options.maxTokens),
      stop: field(nativeStop),
      ...sharedFields(options, field),
    },
    { requiredKeys: [] },
  ).map((fields) => withTopLogprobsAsked(options, fields));
  const body = fc.record(
    { model: field(fc.constant(options.model)), input: field(input), parameters: field(parameters), stream: field(fc.boolean()) },
    { requiredKeys: ['model', 'input'] },
  );
  return options.junkWeight === 0 ? body : fc.oneof({ weight: 12, arbitrary: body }, { weight: 1, arbitrary: junk });
}
