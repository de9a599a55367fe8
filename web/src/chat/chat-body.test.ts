import { describe, expect, it } from 'vitest';
import { buildChatBody, DEFAULT_SETTINGS, InvalidSetting } from './chat-body.js';

describe('buildChatBody', () => {
  const turns = [{ role: 'user' as const, content: 'Hi' }];

  it('streams with usage and leaves out every empty setting', () => {
    expect(buildChatBody({ ...DEFAULT_SETTINGS, model: 'qwen' }, turns)).toEqual({
      model: 'qwen',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('sends every parameter that is set, under its wire name', () => {
    const body = buildChatBody(
      {
        model: 'qwen',
        systemPrompt: 'Be brief.',
        temperature: '0.7',
        topP: '0.8',
        topK: '20',
        maxTokens: '256',
        seed: '42',
        stop: 'END\n\n###',
        presencePenalty: '0.5',
        repetitionPenalty: '1.1',
        thinking: 'on',
        thinkingBudget: '100',
        jsonMode: true,
        tools: '[{"type":"function","function":{"name":"f","parameters":{}}}]',
      },
      [...turns, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Again' }],
    );
    expect(body).toEqual({
      model: 'qwen',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Again' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.7,
      top_p: 0.8,
      top_k: 20,
      max_tokens: 256,
      seed: 42,
      stop: ['END', '###'],
      presence_penalty: 0.5,
      repetition_penalty: 1.1,
      enable_thinking: true,
      thinking_budget: 100,
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
    });
  });

  it('sends no budget with thinking off', () => {
    const body = buildChatBody({ ...DEFAULT_SETTINGS, model: 'qwen', thinking: 'off', thinkingBudget: '100' }, turns);
    expect(body.enable_thinking).toBe(false);
    expect(body).not.toHaveProperty('thinking_budget');
  });

  it('sends no thinking parameters to a model that /models says cannot think', () => {
    const settings = { ...DEFAULT_SETTINGS, model: 'qwen-max', thinking: 'on' as const, thinkingBudget: 'many' };
    const models = [{ id: 'qwen-max', capabilities: { thinking: false, thinking_default: null, vision: false } }];
    const body = buildChatBody(settings, turns, models);
    expect(body).not.toHaveProperty('enable_thinking');
    expect(body).not.toHaveProperty('thinking_budget');
    expect(buildChatBody({ ...settings, thinkingBudget: '100' }, turns, [{ ...models[0]!, capabilities: { thinking: true, thinking_default: 'off', vision: false } }])).toMatchObject({ enable_thinking: true, thinking_budget: 100 });
  });

  it('names the field that is not a number, and rejects tools that are not a JSON array', () => {
    expect(() => buildChatBody({ ...DEFAULT_SETTINGS, topK: '2.5' }, turns)).toThrow(new InvalidSetting('Top K must be a whole number; it is "2.5".'));
    expect(() => buildChatBody({ ...DEFAULT_SETTINGS, temperature: 'hot' }, turns)).toThrow(/Temperature must be a number/);
    expect(() => buildChatBody({ ...DEFAULT_SETTINGS, tools: '{"type":"function"}' }, turns)).toThrow(/JSON array/);
    expect(() => buildChatBody({ ...DEFAULT_SETTINGS, tools: '[' }, turns)).toThrow(/Tools must be a JSON array/);
  });
});
