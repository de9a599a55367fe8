import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../core/errors.js';
import { decodeChatRequest } from './decode-chat-request.js';

const base = { model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] };

const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Look up weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } };

/** The InvalidRequestError a body is rejected with. */
function rejection(body: object): InvalidRequestError {
  try {
    decodeChatRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  return expect.unreachable('the body was accepted');
}

describe('decodeChatRequest', () => {
  it('decodes the minimal request with nothing set', () => {
    expect(decodeChatRequest(base)).toEqual({
      request: { model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }], sampling: {}, stop: [] },
      stream: false,
      includeUsage: false,
    });
  });

  it('flattens text parts and treats developer messages as system messages', () => {
    const { request } = decodeChatRequest({
      ...base,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'ab' },
    ]);
  });

  it('maps the penalties onto sampling', () => {
    const { request } = decodeChatRequest({ ...base, presence_penalty: 1.5, frequency_penalty: -0.5, repetition_penalty: 1.1 });
    expect(request.sampling).toEqual({ presencePenalty: 1.5, frequencyPenalty: -0.5, repetitionPenalty: 1.1 });
  });

  it.each([
    [{ presence_penalty: 2.5 }, 'presence_penalty', 'Presence_penalty should be in [-2.0, 2.0]'],
    [{ frequency_penalty: -3 }, 'frequency_penalty', 'Frequency_penalty should be in [-2.0, 2.0]'],
    [{ repetition_penalty: 0 }, 'repetition_penalty', 'Repetition_penalty should be greater than 0.0'],
  ])('rejects a penalty out of range: %j', (fields, param, message) => {
    expect(rejection({ ...base, ...fields })).toMatchObject({ param, message });
  });

  it('carries tools, tool_choice and parallel_tool_calls', () => {
    const { request } = decodeChatRequest({ ...base, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: true });
    expect(request.tools).toEqual([{ name: 'get_weather', description: 'Look up weather', parameters: weather.function.parameters }]);
    expect(request.toolChoice).toEqual({ name: 'get_weather' });
    expect(request.parallelToolCalls).toBe(true);
  });

  it('gives a tool with no parameters, or {}, an empty object schema', () => {
    const bare = (parameters?: object) => ({ type: 'function', function: { name: 'now', ...(parameters === undefined ? {} : { parameters }) } });
    const { request } = decodeChatRequest({ ...base, tools: [bare(), bare({})] });
    const noArguments = { name: 'now', parameters: { type: 'object', properties: {} } };
    expect(request.tools).toEqual([noArguments, noArguments]);
  });

  it.each(['auto', 'none', 'required'])('passes tool_choice %s through', (choice) => {
    expect(decodeChatRequest({ ...base, tools: [weather], tool_choice: choice }).request.toolChoice).toBe(choice);
  });

  it('leaves tools out when the list is empty', () => {
    expect(decodeChatRequest({ ...base, tools: [] }).request).not.toHaveProperty('tools');
  });

  it('rejects a model name of megabytes rather than echo it in a 404', () => {
    expect(rejection({ ...base, model: 'q'.repeat(1_000_000) })).toMatchObject({ param: 'model', message: 'The model name must be at most 256 characters.' });
  });

  it('rejects a tool_choice that names a function not among the tools', () => {
    const error = rejection({ ...base, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_time' } } });
    expect(error).toMatchObject({ param: 'tool_choice', message: `'tool_choice' names the function "get_time", which is not among the 'tools'.` });
  });

  it('rejects a tool_choice that forces a call when there are no tools', () => {
    expect(rejection({ ...base, tool_choice: 'required' })).toMatchObject({ param: 'tool_choice', message: "'tool_choice' is only allowed when 'tools' are specified." });
  });

  it('rejects a tool_choice of an unknown form', () => {
    expect(rejection({ ...base, tools: [weather], tool_choice: 'always' }).param).toBe('tool_choice');
  });

  it('decodes an assistant turn that called tools, with null content, and the tool result answering it', () => {
    const { request } = decodeChatRequest({
      ...base,
      tools: [weather],
      messages: [
        { role: 'user', content: 'Weather in Hangzhou?' },
        { role: 'assistant', content: null, tool_calls: [{ ...call, index: 0 }] },
        { role: 'tool', content: [{ type: 'text', text: 'Sunny' }], tool_call_id: 'call_1' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Hangzhou?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Hangzhou"}' }] },
      { role: 'tool', content: 'Sunny', toolCallId: 'call_1' },
    ]);
  });

  it('accepts an assistant turn with tool calls and no content key at all', () => {
    const messages = [...base.messages, { role: 'assistant', tool_calls: [call] }, { role: 'tool', content: 'Sunny', tool_call_id: 'call_1' }];
    const { request } = decodeChatRequest({ ...base, messages });
    expect(request.messages[1]).toEqual({ role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Hangzhou"}' }] });
  });

  it('rejects an assistant turn with neither content nor tool calls', () => {
    expect(rejection({ ...base, messages: [...base.messages, { role: 'assistant', content: null }] })).toMatchObject({
      param: 'messages[1].content',
      message: 'An assistant message needs content or tool_calls.',
    });
  });

  it('rejects a tool message without tool_call_id', () => {
    expect(rejection({ ...base, messages: [...base.messages, { role: 'tool', content: 'Sunny' }] }).param).toBe('messages[1].tool_call_id');
  });

  it('rejects a tool message that answers no earlier tool call', () => {
    const error = rejection({
      ...base,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'tool', content: 'Sunny', tool_call_id: 'call_1' },
        { role: 'assistant', content: '', tool_calls: [call] },
      ],
    });
    expect(error).toMatchObject({ param: 'messages[1].tool_call_id', message: 'messages with role "tool" must be a response to a preceeding message with "tool_calls".' });
  });

  it('names the roles it accepts when given another', () => {
    expect(rejection({ ...base, messages: [{ role: 'function', content: 'x' }] })).toMatchObject({
      param: 'messages[0].role',
      message: "Invalid value for 'messages[0].role': Unsupported role \"function\": use system, user, assistant or tool.",
    });
  });

  it('carries each response_format', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const format = (response_format: object) => decodeChatRequest({ ...base, messages: [{ role: 'user', content: 'Reply in JSON.' }], response_format }).request.responseFormat;
    expect(format({ type: 'text' })).toEqual({ type: 'text' });
    expect(format({ type: 'json_object' })).toEqual({ type: 'json_object' });
    expect(format({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } })).toEqual({ type: 'json_schema', schema });
  });

  it('rejects json_object when no message mentions JSON, as Model Studio does', () => {
    expect(rejection({ ...base, response_format: { type: 'json_object' } })).toMatchObject({
      param: 'messages',
      message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
    });
    const mentioned = { ...base, messages: [{ role: 'system', content: 'Answer as Json.' }, ...base.messages], response_format: { type: 'json_object' } };
    expect(decodeChatRequest(mentioned).request.responseFormat).toEqual({ type: 'json_object' });
  });

  it('rejects a json_schema format without a schema', () => {
    expect(rejection({ ...base, response_format: { type: 'json_schema', json_schema: { name: 'answer' } } }).param).toBe('response_format.json_schema.schema');
  });

  it('carries enable_thinking and thinking_budget', () => {
    expect(decodeChatRequest({ ...base, enable_thinking: true, thinking_budget: 512 }).request.thinking).toEqual({ enabled: true, budgetTokens: 512 });
    expect(decodeChatRequest({ ...base, enable_thinking: false }).request.thinking).toEqual({ enabled: false });
    expect(decodeChatRequest(base).request).not.toHaveProperty('thinking');
  });

  it('takes a thinking budget without enable_thinking as asking for thinking', () => {
    expect(decodeChatRequest({ ...base, thinking_budget: 64 }).request.thinking).toEqual({ enabled: true, budgetTokens: 64 });
  });

  it.each([0, -1, 1.5, 1e300])('rejects a thinking_budget of %s', (budget) => {
    expect(rejection({ ...base, thinking_budget: budget })).toMatchObject({ param: 'thinking_budget', message: 'The thinking_budget parameter must be a positive integer.' });
  });

  it.each(['required', { type: 'function', function: { name: 'get_weather' } }])('rejects tool_choice %j in thinking mode', (choice) => {
    expect(rejection({ ...base, enable_thinking: true, tools: [weather], tool_choice: choice })).toMatchObject({
      param: 'tool_choice',
      message: 'The tool_choice parameter does not support being set to required or object in thinking mode',
    });
  });

  it('allows tools with auto or none in thinking mode', () => {
    expect(decodeChatRequest({ ...base, enable_thinking: true, tools: [weather], tool_choice: 'none' }).request.toolChoice).toBe('none');
  });

  it.each([{ type: 'json_object' }, { type: 'json_schema', json_schema: { name: 'a', schema: {} } }])('rejects structured output %j in thinking mode', (format) => {
    expect(rejection({ ...base, messages: [{ role: 'user', content: 'json please' }], enable_thinking: true, response_format: format })).toMatchObject({
      param: 'response_format',
      message: 'Json mode response is not supported when enable_thinking is true',
    });
  });

  it('maps sampling fields, prefers max_completion_tokens and lists a single stop string', () => {
    const { request } = decodeChatRequest({ ...base, temperature: 0, top_p: 0.5, top_k: 20, seed: 3, max_tokens: 10, max_completion_tokens: 5, stop: 'END' });
    expect(request.sampling).toEqual({ temperature: 0, topP: 0.5, topK: 20, seed: 3 });
    expect(request.maxTokens).toBe(5);
    expect(request.stop).toEqual(['END']);
  });

  it('switches top-k off above 100, as Model Studio does', () => {
    expect(decodeChatRequest({ ...base, top_k: 101 }).request.sampling.topK).toBe(0);
  });

  it('treats null fields as unset, as openai clients send them', () => {
    const { request, stream } = decodeChatRequest({ ...base, temperature: null, stop: null, stream: null, max_tokens: null });
    expect(request.sampling).toEqual({});
    expect(request.stop).toEqual([]);
    expect(request.maxTokens).toBeUndefined();
    expect(stream).toBe(false);
  });

  it('asks for usage only on a stream', () => {
    expect(decodeChatRequest({ ...base, stream_options: { include_usage: true } }).includeUsage).toBe(false);
    expect(decodeChatRequest({ ...base, stream: true, stream_options: { include_usage: true } }).includeUsage).toBe(true);
  });

  it('carries logprobs with top_logprobs, 0 alternatives when unset, and nothing when not asked', () => {
    expect(decodeChatRequest({ ...base, logprobs: true }).request.logprobs).toEqual({ topLogprobs: 0 });
    expect(decodeChatRequest({ ...base, logprobs: true, top_logprobs: 5 }).request.logprobs).toEqual({ topLogprobs: 5 });
    expect(decodeChatRequest({ ...base, logprobs: false, top_logprobs: 0 }).request).not.toHaveProperty('logprobs');
    expect(decodeChatRequest({ ...base, logprobs: null, top_logprobs: null }).request).not.toHaveProperty('logprobs');
  });

  it.each([{ top_logprobs: 2 }, { logprobs: false, top_logprobs: 1 }])('rejects %j: top_logprobs needs logprobs', (fields) => {
    expect(rejection({ ...base, ...fields })).toMatchObject({ param: 'top_logprobs', message: 'top_logprobs requires logprobs to be true' });
  });

  it.each([6, -1, 1.5])('rejects top_logprobs %s, outside [0, 5]', (top) => {
    expect(rejection({ ...base, logprobs: true, top_logprobs: top })).toMatchObject({ param: 'top_logprobs', message: 'Range of top_logprobs should be [0, 5]' });
  });

  it('carries n above 1 and leaves the default 1 out', () => {
    expect(decodeChatRequest({ ...base, n: 4 }).request.n).toBe(4);
    expect(decodeChatRequest({ ...base, n: 1 }).request).not.toHaveProperty('n');
  });

  it.each([0, 5, 2.5])('rejects n %s, outside Model Studio\'s [1, 4]', (n) => {
    expect(rejection({ ...base, n })).toMatchObject({ param: 'n', message: 'Range of n should be [1, 4]' });
  });

  it('answers once when tools are given, whatever n says, as Model Studio does', () => {
    expect(decodeChatRequest({ ...base, n: 3, tools: [weather] }).request).not.toHaveProperty('n');
    expect(decodeChatRequest({ ...base, n: 3, tools: [] }).request.n).toBe(3);
  });

  it('reports the first bad field with its path', () => {
    try {
      decodeChatRequest({ ...base, messages: [{ role: 'user', content: 'ok' }, { role: 'user' }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).param).toBe('messages[1].content');
      expect((error as InvalidRequestError).message).toBe("Required parameter 'messages[1].content' is missing.");
    }
  });
});

describe('decodeChatRequest with images', () => {
  const image = (url: string): object => ({ type: 'image_url', image_url: { url, detail: 'high' } });
  const PNG = 'data:image/png;base64,iVBORw0KGgo=';

  it('keeps image and text parts of a user message in order, with the text joined into content', () => {
    const { request } = decodeChatRequest({
      ...base,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Compare ' }, image('https://example.com/a.png'), { type: 'text', text: 'and' }, image(PNG)] }],
    });
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: 'Compare and',
        parts: [
          { type: 'text', text: 'Compare ' },
          { type: 'image', url: 'https://example.com/a.png' },
          { type: 'text', text: 'and' },
          { type: 'image', url: PNG },
        ],
      },
    ]);
  });

  it('accepts image_url as a plain string, as some clients send it', () => {
    const { request } = decodeChatRequest({ ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'https://example.com/a.png' }] }] });
    expect(request.messages).toEqual([{ role: 'user', content: '', parts: [{ type: 'image', url: 'https://example.com/a.png' }] }]);
  });

  it('refuses images outside user messages, naming the part', () => {
    const history = [{ role: 'user', content: 'hi' }];
    expect(rejection({ ...base, messages: [{ role: 'system', content: [image(PNG)] }, ...history] })).toMatchObject({
      param: 'messages[0].content[0].image_url.url',
      message: 'messages[0].content[0].image_url.url: only user messages may hold images.',
    });
    expect(rejection({ ...base, messages: [...history, { role: 'assistant', content: [{ type: 'text', text: 'x' }, image(PNG)] }] })).toMatchObject({
      param: 'messages[1].content[1].image_url.url',
    });
  });

  it('refuses other URL schemes and oversized data URLs, naming message and part', () => {
    expect(rejection({ ...base, messages: [{ role: 'user', content: [image('file:///etc/passwd')] }] })).toMatchObject({
      param: 'messages[0].content[0].image_url.url',
    });
    const big = `data:image/jpeg;base64,${'A'.repeat(14_000_000)}`;
    const error = rejection({ ...base, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: [{ type: 'text', text: 'x' }, image(big)] }] });
    expect(error.param).toBe('messages[2].content[1].image_url.url');
    expect(error.message).toMatch(/^messages\[2\]\.content\[1\]\.image_url\.url: the image holds 10500000 bytes; .* at most 10485760 bytes/);
  });

  it('refuses parts of other types and image parts without a URL, saying which parts a content list may hold', () => {
    for (const part of [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }, { type: 'image_url', image_url: {} }]) {
      expect(rejection({ ...base, messages: [{ role: 'user', content: [part] }] })).toMatchObject({
        param: 'messages[0].content',
        message: expect.stringContaining('an array of text and image_url parts'),
      });
    }
  });
});
