import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../core/generation-event.js';
import { createChatStreamEncoder } from './chat-stream-encoder.js';
import { completionIdentity } from './completion-identity.js';

const identity = completionIdentity('5b1e9a0c-7d42-4f3e-9c61-0a8d2e4b7f13', 'qwen-plus', new Date(1_746_000_000_000));

const events: GenerationEvent[] = [
  { type: 'start', model: 'qwen-plus', inputTokens: 12 },
  { type: 'reasoning-delta', delta: 'The user ', outputTokens: 2 },
  { type: 'reasoning-delta', delta: 'wants weather.', outputTokens: 4 },
  { type: 'text-delta', delta: 'Let me check.', outputTokens: 7 },
  { type: 'tool-call', index: 0, call: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Hangzhou"}' }, outputTokens: 15 },
  { type: 'tool-call', index: 1, call: { id: 'call_2', name: 'get_time', arguments: '{}' }, outputTokens: 20 },
  { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
  { type: 'usage', usage: { inputTokens: 12, outputTokens: 20, reasoningTokens: 4 } },
];

function frames(includeUsage: boolean): string[] {
  const encoder = createChatStreamEncoder(identity, { includeUsage }, 'req');
  return [...events.flatMap((event) => encoder.event(event)), ...encoder.end()];
}

/** The JSON of each `data:` line, as openai SDKs parse it; `[DONE]` stays text. */
function payloads(lines: string[]): unknown[] {
  return lines.map((frame) => {
    const data = frame.replace(/^data: /, '').replace(/\n\n$/, '');
    return data === '[DONE]' ? data : JSON.parse(data);
  });
}

const chunk = (choices: object[], usage: object | null = null): object => ({
  id: 'chatcmpl-5b1e9a0c-7d42-4f3e-9c61-0a8d2e4b7f13',
  object: 'chat.completion.chunk',
  created: 1_746_000_000,
  model: 'qwen-plus',
  system_fingerprint: null,
  choices,
  usage,
});
const delta = (content: object, finishReason: string | null = null): object => chunk([{ index: 0, delta: content, finish_reason: finishReason, logprobs: null }]);

describe('createChatStreamEncoder', () => {
  it('streams reasoning, content and each tool call as deltas, then the finish, usage and [DONE]', () => {
    expect(payloads(frames(true))).toStrictEqual([
      delta({ role: 'assistant', content: '' }),
      delta({ content: null, reasoning_content: 'The user ' }),
      delta({ content: null, reasoning_content: 'wants weather.' }),
      delta({ content: 'Let me check.' }),
      delta({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      delta({ content: '' }, 'tool_calls'),
      chunk([], { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32, prompt_tokens_details: null, completion_tokens_details: { reasoning_tokens: 4 } }),
      '[DONE]',
    ]);
  });

  it('sends the usage chunk only when asked', () => {
    const withUsage = payloads(frames(true));
    expect(payloads(frames(false))).toStrictEqual(withUsage.filter((payload) => (payload as { choices?: unknown[] }).choices?.length !== 0));
  });

  it('frames every chunk as a bare data: line, with no event: or id: lines', () => {
    expect(frames(true).every((frame) => /^data: [^\n]+\n\n$/.test(frame))).toBe(true);
  });
});
