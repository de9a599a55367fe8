// Property-based tests of the native decoder: whatever the body and headers, a sound request or a 4xx, never a crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extremeNumber, extremeNumberText, junk, nativeBody } from '../../../test/fuzz/arbitraries.js';
import { expectDecoderContract } from '../../../test/fuzz/decoder-contract.js';
import { nested, rawJson, toJsonText } from '../../../test/fuzz/json-text.js';
import type { RenderableError } from '../../core/errors.js';
import { decodeGenerationRequest, decodeMultimodalRequest, type DashScopeCall, type StreamHints } from './decode-generation-request.js';
import { renderDashScopeError } from './render-error.js';

/** Runs of each property: the file takes a few seconds on a two-core machine. */
const RUNS = 150;
const base = { model: 'qwen-plus', input: { messages: [{ role: 'user', content: 'hi' }] } };
const numericParameters = [
  'temperature', 'top_p', 'top_k', 'seed', 'max_tokens', 'max_length', 'n', 'top_logprobs',
  'presence_penalty', 'frequency_penalty', 'repetition_penalty', 'thinking_budget',
];
const parameterNames = [...numericParameters, 'result_format', 'incremental_output', 'stream', 'stop', 'logprobs', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'enable_thinking'];
const maxTokens = fc.oneof(fc.integer({ min: 1, max: 100_000 }), extremeNumber, extremeNumberText);
const hints: fc.Arbitrary<StreamHints> = fc.record({ sseHeader: fc.boolean(), acceptsEventStream: fc.boolean() });

const render = (error: RenderableError) => renderDashScopeError(error, 'request-id');
const decode = (body: unknown, streamHints: StreamHints = { sseHeader: false, acceptsEventStream: false }): DashScopeCall | RenderableError =>
  expectDecoderContract(() => decodeGenerationRequest(body, streamHints), render);
/** As the HTTP layer hands a body over: parsed from the JSON text a client sent. */
const decodeText = (body: unknown, streamHints?: StreamHints): DashScopeCall | RenderableError => decode(JSON.parse(toJsonText(body)), streamHints);

describe('decodeGenerationRequest, fuzzed', () => {
  it('answers bodies with junk in any field, under any stream headers, with a sound request or a 4xx', () => {
    fc.assert(
      fc.property(nativeBody({ model: 'qwen-plus', junkWeight: 1, maxTokens }), hints, (body, streamHints) => {
        decode(body, streamHints);
        decodeText(body, streamHints);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers well-typed bodies with odd strings, schemas, stops and edge numbers with a sound request or a 4xx', () => {
    fc.assert(fc.property(nativeBody({ model: 'qwen-plus', junkWeight: 0, maxTokens }), hints, (body, streamHints) => void decodeText(body, streamHints)), { numRuns: RUNS });
  });

  it('reads number literals past double precision in every numeric parameter as a sound request or a 4xx', () => {
    fc.assert(fc.property(fc.constantFrom(...numericParameters), extremeNumberText, (name, literal) => void decodeText({ ...base, parameters: { [name]: literal } })), { numRuns: RUNS });
  });

  it('rejects a number literal that parses to Infinity, naming its parameter', () => {
    fc.assert(
      fc.property(fc.constantFrom(...numericParameters), fc.constantFrom('1e309', '-1e309', '1E400'), (name, literal) => {
        expect(decodeText({ ...base, parameters: { [name]: rawJson(literal) } })).toMatchObject({ code: 'invalid_request', param: `parameters.${name}` });
      }),
    );
  });

  it('rejects 10,000-deep nesting in every parameter with a 400 naming it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...parameterNames), fc.constantFrom(nested(10_000, 'array'), nested(10_000, 'object')), (name, value) => {
        expect(decode({ ...base, parameters: { result_format: 'message', [name]: value } })).toMatchObject({
          code: 'invalid_request',
          param: expect.stringMatching(new RegExp(`^parameters\\.${name}\\b`)),
        });
      }),
    );
  });

  it('answers 10,000-deep nesting and junk in every top-level and input field with a 4xx', () => {
    const fields = fc.constantFrom('model', 'input', 'parameters', 'stream', 'input.messages', 'input.prompt', 'input.history');
    fc.assert(
      fc.property(fields, fc.oneof(fc.constantFrom(nested(10_000, 'array'), nested(10_000, 'object')), junk), (field, value) => {
        const [outer, inner] = field.split('.') as [string, string | undefined];
        decode(inner === undefined ? { ...base, [outer]: value } : { ...base, input: { [inner]: value } });
      }),
      { numRuns: RUNS },
    );
  });

  it('answers megabyte strings with NUL bytes and lone surrogates in every text field with a sound request or a 4xx', () => {
    const tool = (name: string, description: string) => ({ type: 'function', function: { name, description, parameters: { type: 'object', properties: { [name]: { type: 'string', description } } } } });
    for (const text of ['你好'.repeat(1_000_000), 'a\0\ud800'.repeat(1_000_000)]) {
      for (const body of [
        { model: text, input: { prompt: text, history: [{ user: text, bot: text }] } },
        { ...base, input: { messages: [{ role: 'assistant', tool_calls: [{ id: text, function: { name: text, arguments: text } }] }, { role: 'tool', content: text, tool_call_id: text }] } },
        { ...base, parameters: { stop: text } },
        { ...base, parameters: { stop: [text, text] } },
        { ...base, parameters: { result_format: 'message', tools: [tool(text, text)], tool_choice: { type: 'function', function: { name: text } } } },
        { ...base, parameters: { result_format: 'message', tools: [tool('get_weather', text)], tool_choice: { type: 'function', function: { name: text } } } },
      ]) {
        decode(body);
      }
    }
  });

  it('rejects 1,000 stop strings or sequences, and takes 1,000 token ids as one sequence', () => {
    const thousand = Array.from({ length: 1000 }, (_, index) => index);
    expect(decode({ ...base, parameters: { stop: thousand.map(String) } })).toMatchObject({ code: 'invalid_request', param: 'parameters.stop' });
    expect(decode({ ...base, parameters: { stop: thousand.map((id) => [id]) } })).toMatchObject({ code: 'invalid_request', param: 'parameters.stop' });
    expect(decode({ ...base, parameters: { stop: thousand } })).toMatchObject({ request: { stopTokens: [thousand] } });
  });
});

describe('decodeMultimodalRequest, fuzzed', () => {
  it('answers content lists of any items, in any role, with a sound request or a 4xx', () => {
    const url = fc.oneof(fc.webUrl(), fc.string(), fc.constantFrom('data:image/png;base64,iVBORw0KGgo=', 'data:image/png;base64,***', 'file:///etc/passwd'));
    const item = fc.oneof(fc.record({ text: fc.string() }), fc.record({ image: url }), fc.record({ image: url, text: fc.string() }), fc.record({ video: junk }), junk);
    const content = fc.oneof(fc.string(), fc.array(item, { maxLength: 5 }), junk);
    fc.assert(
      fc.property(fc.constantFrom('system', 'user', 'assistant', 'tool'), content, hints, (role, value, streamHints) => {
        const body = { model: 'qwen-vl-plus', input: { messages: [{ role, content: value }, { role: 'user', content: [{ text: 'hi' }] }] } };
        expectDecoderContract(() => decodeMultimodalRequest(body, streamHints), render);
      }),
      { numRuns: RUNS },
    );
  });
});
