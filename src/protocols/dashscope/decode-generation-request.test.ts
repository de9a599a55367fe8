import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../core/errors.js';
import { decodeGenerationRequest, decodeMultimodalRequest, type StreamHints } from './decode-generation-request.js';

const blocking: StreamHints = { sseHeader: false, acceptsEventStream: false };
const sse: StreamHints = { sseHeader: true, acceptsEventStream: false };
const input = { messages: [{ role: 'user', content: 'hi' }] };
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } };

const body = (parameters: object, messages: object[] = input.messages): object => ({ model: 'qwen-plus', input: { messages }, parameters });

/** The InvalidRequestError a body is rejected with. */
function rejection(request: object, hints: StreamHints = blocking, decode = decodeGenerationRequest): InvalidRequestError {
  try {
    decode(request, hints);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  return expect.unreachable('the body was accepted');
}

describe('decodeGenerationRequest', () => {
  it('decodes the minimal request as text format, cumulative, blocking', () => {
    expect(decodeGenerationRequest({ model: 'qwen-plus', input }, blocking)).toEqual({
      request: { model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }], sampling: {}, stop: [] },
      stream: false,
      resultFormat: 'text',
      incrementalOutput: false,
    });
  });

  it('carries tools, tool_choice, parallel_tool_calls and thinking from parameters', () => {
    const { request } = decodeGenerationRequest(
      body({ result_format: 'message', tools: [weather], tool_choice: 'auto', parallel_tool_calls: true, enable_thinking: true, thinking_budget: 100 }),
      blocking,
    );
    expect(request).toMatchObject({
      tools: [{ name: 'get_weather', parameters: weather.function.parameters }],
      toolChoice: 'auto',
      parallelToolCalls: true,
      thinking: { enabled: true, budgetTokens: 100 },
    });
  });

  it('maps a named tool_choice and response_format', () => {
    const { request } = decodeGenerationRequest(
      body({ result_format: 'message', tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, response_format: { type: 'json_object' } }, [
        { role: 'user', content: 'Answer in JSON.' },
      ]),
      blocking,
    );
    expect(request.toolChoice).toEqual({ name: 'get_weather' });
    expect(request.responseFormat).toEqual({ type: 'json_object' });
  });

  it('maps the penalties onto sampling', () => {
    const { request } = decodeGenerationRequest(body({ repetition_penalty: 1.05, presence_penalty: 0.5, frequency_penalty: 0.2 }), blocking);
    expect(request.sampling).toEqual({ repetitionPenalty: 1.05, presencePenalty: 0.5, frequencyPenalty: 0.2 });
  });

  it('decodes tool-call history, with the assistant content null or absent', () => {
    const { request } = decodeGenerationRequest(
      body({ result_format: 'message', tools: [weather] }, [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ ...call, index: 0 }] },
        { role: 'tool', content: 'Sunny', tool_call_id: 'call_1' },
        { role: 'assistant', tool_calls: [{ ...call, id: 'call_2' }] },
        { role: 'tool', content: 'Rainy', tool_call_id: 'call_2' },
      ]),
      blocking,
    );
    const weatherCall = { name: 'get_weather', arguments: '{"city":"Hangzhou"}' };
    expect(request.messages.slice(1)).toEqual([
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', ...weatherCall }] },
      { role: 'tool', content: 'Sunny', toolCallId: 'call_1' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_2', ...weatherCall }] },
      { role: 'tool', content: 'Rainy', toolCallId: 'call_2' },
    ]);
  });

  it('names a stray tool message by its place in input.messages, after any history', () => {
    const error = rejection({
      model: 'qwen-plus',
      input: { history: [{ user: 'a', bot: 'b' }], messages: [{ role: 'user', content: 'hi' }, { role: 'tool', content: 'Sunny', tool_call_id: 'call_9' }] },
    });
    expect(error).toMatchObject({ param: 'input.messages[1].tool_call_id', message: 'messages with role "tool" must be a response to a preceeding message with "tool_calls".' });
  });

  it('requires the message format for tools', () => {
    expect(rejection(body({ tools: [weather] }))).toMatchObject({
      param: 'parameters.result_format',
      message: 'The result_format parameter must be "message" when tools are given',
    });
  });

  it('requires the message format for thinking', () => {
    expect(rejection(body({ result_format: 'text', enable_thinking: true }))).toMatchObject({
      param: 'parameters.result_format',
      message: 'The result_format parameter must be "message" when enable_thinking is true',
    });
  });

  it('requires incremental output for a thinking stream, but not for a thinking body', () => {
    expect(rejection(body({ result_format: 'message', enable_thinking: true }), sse)).toMatchObject({
      param: 'parameters.incremental_output',
      message: 'The incremental_output parameter must be "true" when enable_thinking is true',
    });
    expect(decodeGenerationRequest(body({ result_format: 'message', enable_thinking: true, incremental_output: true }), sse).stream).toBe(true);
    expect(decodeGenerationRequest(body({ result_format: 'message', enable_thinking: true }), blocking).stream).toBe(false);
  });

  it('allows anything with thinking switched off', () => {
    const { request } = decodeGenerationRequest(body({ enable_thinking: false }), sse);
    expect(request.thinking).toEqual({ enabled: false });
  });

  it('applies the rules both wires share, naming parameters.* fields', () => {
    const thinking = { result_format: 'message', enable_thinking: true };
    expect(rejection(body({ ...thinking, tools: [weather], tool_choice: 'required' }))).toMatchObject({
      param: 'parameters.tool_choice',
      message: 'The tool_choice parameter does not support being set to required or object in thinking mode',
    });
    expect(rejection(body({ ...thinking, response_format: { type: 'json_schema', json_schema: { name: 'a', schema: {} } } }))).toMatchObject({
      param: 'parameters.response_format',
      message: 'Json mode response is not supported when enable_thinking is true',
    });
    expect(rejection(body({ result_format: 'message', tools: [weather], tool_choice: { type: 'function', function: { name: 'get_time' } } })).param).toBe('parameters.tool_choice');
    expect(rejection(body({ response_format: { type: 'json_object' } }))).toMatchObject({
      param: 'input',
      message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
    });
  });

  it('finds "json" in the prompt and history forms too', () => {
    const request = { model: 'qwen-plus', input: { history: [{ user: 'Use JSON', bot: 'ok' }], prompt: 'hi' }, parameters: { response_format: { type: 'json_object' } } };
    expect(decodeGenerationRequest(request, blocking).request.responseFormat).toEqual({ type: 'json_object' });
  });

  it('takes stop as texts or as token-id sequences, one (int[]) or several (int[][])', () => {
    const decoded = (stop: unknown) => {
      const { request } = decodeGenerationRequest(body({ stop }), blocking);
      return { stop: request.stop, stopTokens: request.stopTokens };
    };
    expect(decoded('END')).toEqual({ stop: ['END'] });
    expect(decoded(['END', 'STOP'])).toEqual({ stop: ['END', 'STOP'] });
    expect(decoded([101, 102])).toEqual({ stop: [], stopTokens: [[101, 102]] });
    expect(decoded([[101, 102], [7]])).toEqual({ stop: [], stopTokens: [[101, 102], [7]] });
  });

  it('takes an empty stop list, or empty sequences, as no stop', () => {
    for (const stop of [[], [[]], null]) {
      const { request } = decodeGenerationRequest(body({ stop }), blocking);
      expect(request.stop).toEqual([]);
      expect(request).not.toHaveProperty('stopTokens');
    }
  });

  it.each([[['END', 101]], [[[101], 102]], [[[101], ['END']]], [[1.5]], [{ text: 'END' }]])('rejects stop %j, which mixes texts and ids or is neither', (stop) => {
    expect(rejection(body({ stop }))).toMatchObject({
      param: 'parameters.stop',
      message:
        'Invalid value for \'parameters.stop\': The "stop" parameter must be of type "str", "list[str]", "list[int]", or "list[list[int]]", and all elements within the list must be of the same type.',
    });
  });

  it('rejects a negative token id', () => {
    expect(rejection(body({ stop: [[101, -1]] }))).toMatchObject({ param: 'parameters.stop', message: 'Token ids in stop must not be negative.' });
  });

  it('rejects more than 16 stop sequences', () => {
    const many = Array.from({ length: 17 }, (_, index) => [index]);
    expect(rejection(body({ stop: many }))).toMatchObject({ param: 'parameters.stop', message: 'stop must be a list of at most 16 sequences.' });
    expect(decodeGenerationRequest(body({ stop: many[0]!.concat(...many.slice(1)) }), blocking).request.stopTokens).toHaveLength(1);
  });

  it('carries n above 1 with the message format, and leaves the default 1 out', () => {
    expect(decodeGenerationRequest(body({ result_format: 'message', n: 4 }), blocking).request.n).toBe(4);
    expect(decodeGenerationRequest(body({ n: 1 }), blocking).request).not.toHaveProperty('n');
  });

  it.each([0, 5, 1.5])('rejects n %s, outside [1, 4]', (n) => {
    expect(rejection(body({ result_format: 'message', n }))).toMatchObject({ param: 'parameters.n', message: 'Range of n should be [1, 4]' });
  });

  it('answers once when tools are given, whatever n says', () => {
    expect(decodeGenerationRequest(body({ result_format: 'message', tools: [weather], n: 2 }), blocking).request).not.toHaveProperty('n');
  });

  it('requires the message format for n > 1 and for logprobs, which the text format has no room for', () => {
    expect(rejection(body({ n: 2 }))).toMatchObject({ param: 'parameters.result_format', message: 'n > 1 requires result_format "message"' });
    expect(rejection(body({ result_format: 'text', logprobs: true }))).toMatchObject({
      param: 'parameters.result_format',
      message: 'logprobs requires result_format "message"',
    });
  });

  it('carries logprobs with top_logprobs up to 5', () => {
    const decoded = (parameters: object) => decodeGenerationRequest(body({ result_format: 'message', ...parameters }), blocking).request;
    expect(decoded({ logprobs: true }).logprobs).toEqual({ topLogprobs: 0 });
    expect(decoded({ logprobs: true, top_logprobs: 5 }).logprobs).toEqual({ topLogprobs: 5 });
    expect(decoded({ logprobs: false, top_logprobs: 0 })).not.toHaveProperty('logprobs');
    expect(rejection(body({ result_format: 'message', logprobs: true, top_logprobs: 6 }))).toMatchObject({
      param: 'parameters.top_logprobs',
      message: 'Range of top_logprobs should be [0, 5]',
    });
    expect(rejection(body({ result_format: 'message', top_logprobs: 3 }))).toMatchObject({
      param: 'parameters.top_logprobs',
      message: 'top_logprobs requires logprobs to be true',
    });
  });

  it('rejects a thinking_budget that is not a positive integer', () => {
    expect(rejection(body({ thinking_budget: 0 }))).toMatchObject({ param: 'parameters.thinking_budget', message: 'The thinking_budget parameter must be a positive integer.' });
  });

  it('rejects a model name of megabytes rather than echo it in a 404', () => {
    expect(rejection({ model: 'q'.repeat(1_000_000), input })).toMatchObject({ param: 'model', message: 'The model name must be at most 256 characters.' });
  });
});

describe('decodeMultimodalRequest', () => {
  const PNG = 'data:image/png;base64,iVBORw0KGgo=';
  const visionBody = (content: unknown, parameters: object = {}): object => ({ model: 'qwen-vl-plus', input: { messages: [{ role: 'user', content }] }, parameters });
  const multimodalRejection = (request: object): InvalidRequestError => rejection(request, blocking, decodeMultimodalRequest);

  it('keeps image and text items in order, answers in the multimodal message format and streams as the text endpoint does', () => {
    const call = decodeMultimodalRequest(
      {
        model: 'qwen-vl-plus',
        input: {
          messages: [
            { role: 'system', content: [{ text: 'You are a helpful assistant.' }] },
            { role: 'user', content: [{ image: 'https://example.com/dog.jpeg' }, { image: PNG }, { text: 'What are these?' }] },
          ],
        },
        parameters: { result_format: 'text', incremental_output: true },
      },
      sse,
    );
    expect(call).toEqual({
      request: {
        model: 'qwen-vl-plus',
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          {
            role: 'user',
            content: 'What are these?',
            parts: [
              { type: 'image', url: 'https://example.com/dog.jpeg' },
              { type: 'image', url: PNG },
              { type: 'text', text: 'What are these?' },
            ],
          },
        ],
        sampling: {},
        stop: [],
      },
      stream: true,
      resultFormat: 'multimodal',
      incrementalOutput: true,
    });
  });

  it('takes string content and text-only lists as plain messages, assistant history included', () => {
    const { request } = decodeMultimodalRequest(
      { model: 'qwen-vl-plus', input: { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ text: 'Hello' }] }, { role: 'user', content: [{ text: 'again' }] }] } },
      blocking,
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'again' },
    ]);
  });

  it('refuses video, items with neither text nor image, and images outside user messages, naming the item', () => {
    expect(multimodalRejection(visionBody([{ video: ['https://example.com/1.jpg'] }, { text: 'what happens?' }]))).toMatchObject({
      param: 'input.messages[0].content[0].video',
      message: expect.stringContaining('video input is not supported'),
    });
    expect(multimodalRejection(visionBody([{ text: 'a' }, { audio: 'https://example.com/a.wav' }]))).toMatchObject({ param: 'input.messages[0].content[1]' });
    const systemImage = { model: 'qwen-vl-plus', input: { messages: [{ role: 'system', content: [{ image: PNG }] }, { role: 'user', content: 'hi' }] } };
    expect(multimodalRejection(systemImage)).toMatchObject({ param: 'input.messages[0].content[0].image', message: expect.stringContaining('only user messages may hold images') });
  });

  it('refuses other URL schemes and oversized data URLs, naming message and item', () => {
    expect(multimodalRejection(visionBody([{ image: 'file:///etc/passwd' }]))).toMatchObject({ param: 'input.messages[0].content[0].image' });
    const error = multimodalRejection(visionBody([{ text: 'x' }, { image: `data:image/png;base64,${'A'.repeat(14_000_000)}` }]));
    expect(error.param).toBe('input.messages[0].content[1].image');
    expect(error.message).toContain('at most 10485760 bytes');
  });

  it('refuses content that is neither a string nor a list', () => {
    expect(multimodalRejection(visionBody(5))).toMatchObject({ param: 'input.messages[0].content', message: expect.stringContaining('{"image": …} items') });
  });
});

describe('decodeGenerationRequest with images', () => {
  it('keeps content a string and points images at the multimodal endpoint', () => {
    const images = { model: 'qwen-vl-plus', input: { messages: [{ role: 'user', content: [{ image: 'https://example.com/a.png' }, { text: 'hi' }] }] } };
    expect(rejection(images)).toMatchObject({
      param: 'input.messages[0].content',
      message: expect.stringContaining('input content must be a string; send images to POST /api/v1/services/aigc/multimodal-generation/generation.'),
    });
    expect(rejection({ model: 'qwen-plus', input: { messages: [{ role: 'user', content: [{ text: 'hi' }] }] } }).message).not.toContain('multimodal');
  });
});
