import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../core/errors.js';
import { decodeGenerationRequest, type StreamHints } from './decode-generation-request.js';

const blocking: StreamHints = { sseHeader: false, acceptsEventStream: false };
const sse: StreamHints = { sseHeader: true, acceptsEventStream: false };
const input = { messages: [{ role: 'user', content: 'hi' }] };
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } };

const body = (parameters: object, messages: object[] = input.messages): object => ({ model: 'qwen-plus', input: { messages }, parameters });

/** The InvalidRequestError a body is rejected with. */
function rejection(request: object, hints: StreamHints = blocking): InvalidRequestError {
  try {
    decodeGenerationRequest(request, hints);
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

  it('rejects token-id stop sequences with a clear message', () => {
    for (const stop of [[101, 102], [[101, 102]]]) {
      expect(rejection(body({ stop }))).toMatchObject({
        param: 'parameters.stop',
        message: "Invalid value for 'parameters.stop': stop must be a string or a list of at most 16 strings; token ids are not supported.",
      });
    }
  });

  it('rejects a thinking_budget that is not a positive integer', () => {
    expect(rejection(body({ thinking_budget: 0 }))).toMatchObject({ param: 'parameters.thinking_budget', message: 'The thinking_budget parameter must be a positive integer.' });
  });
});
