import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../core/chat-request.js';
import { InvalidRequestError } from '../../core/errors.js';
import { chatCompletionBody } from './chat-completion-body.js';

const base: ChatRequest = { model: 'remote', messages: [{ role: 'user', content: 'Hi' }], sampling: {}, stop: [] };

describe('chatCompletionBody', () => {
  it('sends a plain request as a streamed completion with usage, and nothing unset', () => {
    expect(chatCompletionBody(base)).toEqual({
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('passes every sampling control, limits, n and logprobs under their OpenAI names', () => {
    const body = chatCompletionBody(
      {
        ...base,
        sampling: { temperature: 0.5, topP: 0.9, topK: 20, seed: 7, repetitionPenalty: 1.1, presencePenalty: 0.3, frequencyPenalty: 0.2 },
        maxTokens: 64,
        stop: ['\n\n'],
        n: 2,
        logprobs: { topLogprobs: 3 },
      });
    expect(body).toMatchObject({
      temperature: 0.5,
      top_p: 0.9,
      top_k: 20,
      seed: 7,
      repetition_penalty: 1.1,
      presence_penalty: 0.3,
      frequency_penalty: 0.2,
      max_tokens: 64,
      stop: ['\n\n'],
      n: 2,
      logprobs: true,
      top_logprobs: 3,
    });
  });

  it('maps tool turns, image parts and a partial assistant turn', () => {
    const body = chatCompletionBody(
      {
        ...base,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'What is this?', parts: [{ type: 'text', text: 'What is this?' }, { type: 'image', url: 'data:image/png;base64,AAAA' }] },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'look', arguments: '{"x":1}' }] },
          { role: 'tool', content: 'a cat', toolCallId: 'call_1' },
          { role: 'assistant', content: 'It is', partial: true },
        ],
      });
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"x":1}' } }] },
      { role: 'tool', content: 'a cat', tool_call_id: 'call_1' },
      { role: 'assistant', content: 'It is', partial: true },
    ]);
  });

  it('maps tools, a named tool choice and parallel calls', () => {
    const parameters = { type: 'object', properties: { city: { type: 'string' } } };
    const body = chatCompletionBody({ ...base, tools: [{ name: 'weather', parameters }], toolChoice: { name: 'weather' }, parallelToolCalls: true });
    expect(body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'weather', parameters } }],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: true,
    });
    expect(chatCompletionBody({ ...base, toolChoice: 'required' }).tool_choice).toBe('required');
  });

  it('maps response formats, a schema under a name as OpenAI requires one', () => {
    const schema = { type: 'object' };
    expect(chatCompletionBody({ ...base, responseFormat: { type: 'json_object' } }).response_format).toEqual({ type: 'json_object' });
    expect(chatCompletionBody({ ...base, responseFormat: { type: 'json_schema', schema } }).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema },
    });
  });

  it("asks for thinking both Model Studio's way and through the chat template, with the budget", () => {
    expect(chatCompletionBody({ ...base, thinking: { enabled: true, budgetTokens: 100 } })).toMatchObject({
      enable_thinking: true,
      chat_template_kwargs: { enable_thinking: true },
      thinking_budget: 100,
    });
    const off = chatCompletionBody({ ...base, thinking: { enabled: false } });
    expect(off).toMatchObject({ enable_thinking: false, chat_template_kwargs: { enable_thinking: false } });
    expect(off).not.toHaveProperty('thinking_budget');
  });

  it('refuses stop sequences given as token ids, naming stop', () => {
    const call = (): unknown => chatCompletionBody({ ...base, stopTokens: [[151645]] });
    expect(call).toThrow(InvalidRequestError);
    expect(call).toThrow(expect.objectContaining({ param: 'stop', message: expect.stringMatching(/token ids/) }));
  });
});
