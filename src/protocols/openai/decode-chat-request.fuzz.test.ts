// Property-based tests of the OpenAI-compatible decoder: whatever the body, a sound request or a 4xx, never a crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extremeNumber, extremeNumberText, junk, openaiBody } from '../../../test/fuzz/arbitraries.js';
import { expectDecoderContract } from '../../../test/fuzz/decoder-contract.js';
import { nested, rawJson, toJsonText } from '../../../test/fuzz/json-text.js';
import type { RenderableError } from '../../core/errors.js';
import { decodeChatRequest, type OpenAIChatCall } from './decode-chat-request.js';
import { renderOpenAIError } from './render-error.js';

/** Runs of each property: the file takes a few seconds on a two-core machine. */
const RUNS = 150;
const base = { model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] };
const numericFields = [
  'temperature', 'top_p', 'top_k', 'seed', 'max_tokens', 'max_completion_tokens', 'n', 'top_logprobs',
  'presence_penalty', 'frequency_penalty', 'repetition_penalty', 'thinking_budget',
];
/** stream_options is left out: an object with unknown keys is a valid one. */
const fields = [...numericFields, 'model', 'messages', 'stream', 'stop', 'logprobs', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'enable_thinking'];
const maxTokens = fc.oneof(fc.integer({ min: 1, max: 100_000 }), extremeNumber, extremeNumberText);

const render = (error: RenderableError) => renderOpenAIError(error, 'request-id');
const decode = (body: unknown): OpenAIChatCall | RenderableError => expectDecoderContract(() => decodeChatRequest(body), render);
/** As the HTTP layer hands a body over: parsed from the JSON text a client sent. */
const decodeText = (body: unknown): OpenAIChatCall | RenderableError => decode(JSON.parse(toJsonText(body)));

describe('decodeChatRequest, fuzzed', () => {
  it('answers bodies with junk in any field with a sound request or a 4xx', () => {
    fc.assert(
      fc.property(openaiBody({ model: 'qwen-plus', junkWeight: 1, maxTokens }), (body) => {
        decode(body);
        decodeText(body);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers well-typed bodies with odd strings, schemas and edge numbers with a sound request or a 4xx', () => {
    fc.assert(fc.property(openaiBody({ model: 'qwen-plus', junkWeight: 0, maxTokens }), (body) => void decodeText(body)), { numRuns: RUNS });
  });

  it('reads number literals past double precision in every numeric field as a sound request or a 4xx', () => {
    fc.assert(fc.property(fc.constantFrom(...numericFields), extremeNumberText, (field, literal) => void decodeText({ ...base, [field]: literal })), { numRuns: RUNS });
  });

  it('rejects a number literal that parses to Infinity, naming its field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...numericFields), fc.constantFrom('1e309', '-1e309', '1E400'), (field, literal) => {
        expect(decodeText({ ...base, [field]: rawJson(literal) })).toMatchObject({ code: 'invalid_request', param: field });
      }),
    );
  });

  it('rejects 10,000-deep nesting in every field with a 400 naming it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.constantFrom(nested(10_000, 'array'), nested(10_000, 'object')), (field, value) => {
        expect(decode({ ...base, [field]: value })).toMatchObject({ code: 'invalid_request', param: expect.stringMatching(new RegExp(`^${field}\\b`)) });
      }),
    );
  });

  it('answers megabyte strings with NUL bytes and lone surrogates in every text field with a sound request or a 4xx', () => {
    const huge = ['你好'.repeat(1_000_000), 'a\0\ud800'.repeat(1_000_000)];
    const weather = (name: string, description: string) => ({ type: 'function', function: { name, description, parameters: { type: 'object', properties: { [name]: { type: 'string', description } } } } });
    for (const text of huge) {
      for (const body of [
        { ...base, messages: [{ role: 'user', content: text }] },
        { ...base, messages: [{ role: 'user', content: [{ type: 'text', text }, { type: 'text', text }] }] },
        { ...base, messages: [{ role: 'assistant', content: null, tool_calls: [{ id: text, type: 'function', function: { name: text, arguments: text } }] }, { role: 'tool', content: text, tool_call_id: text }] },
        { ...base, model: text, stop: text },
        { ...base, stop: [text, text] },
        { ...base, tools: [weather(text, text)], tool_choice: { type: 'function', function: { name: text } } },
        { ...base, tools: [weather('get_weather', text)], tool_choice: { type: 'function', function: { name: text } } },
      ]) {
        decode(body);
      }
    }
  });

  it('rejects 1,000 stop strings', () => {
    const stop = Array.from({ length: 1000 }, (_, index) => `stop-${index}`);
    expect(decode({ ...base, stop })).toMatchObject({ code: 'invalid_request', param: 'stop' });
  });

  it('keeps a role of any size or depth out of its error message', () => {
    for (const role of [nested(10_000, 'object'), nested(10_000, 'array'), 'r'.repeat(1_000_000), '\ud800\0']) {
      expect(decode({ ...base, messages: [{ role, content: 'hi' }] })).toMatchObject({ code: 'invalid_request', param: 'messages[0].role' });
    }
  });
});

describe('decodeChatRequest image parts, fuzzed', () => {
  it('answers content lists of text and image_url parts of any shape, in any role, with a sound request or a 4xx', () => {
    const url = fc.oneof(fc.webUrl(), fc.string(), fc.constantFrom('data:image/png;base64,iVBORw0KGgo=', 'data:image/png;base64,***', 'file:///etc/passwd'));
    const part = fc.oneof(
      fc.record({ type: fc.constant('text'), text: fc.string() }),
      fc.record({ type: fc.constant('image_url'), image_url: fc.oneof(url, fc.record({ url, detail: fc.constantFrom('auto', 'low', 'high') }), junk) }),
      junk,
    );
    fc.assert(
      fc.property(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), fc.array(part, { maxLength: 5 }), (role, content) => {
        decode({ model: 'qwen-vl-plus', messages: [{ role, content, tool_call_id: 'call_1' }, { role: 'user', content: 'hi' }] });
      }),
      { numRuns: RUNS },
    );
  });
});
