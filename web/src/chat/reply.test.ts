import { describe, expect, it } from 'vitest';
import type { ChatChunk } from './chat-chunks.js';
import { applyChunk, carriesOutput, EMPTY_REPLY } from './reply.js';

const delta = (value: ChatChunk['choices'][number]['delta'], finish: string | null = null): ChatChunk => ({ choices: [{ index: 0, delta: value, finish_reason: finish }] });

describe('applyChunk', () => {
  it('joins text and reasoning deltas, and keeps the finish reason and usage', () => {
    const chunks: ChatChunk[] = [
      delta({ content: '', reasoning_content: null }),
      delta({ reasoning_content: 'Let me ' }),
      delta({ reasoning_content: 'think.' }),
      delta({ content: 'Hello' }),
      delta({ content: ', world' }, 'stop'),
      { choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 8 } } },
    ];
    const reply = chunks.reduce(applyChunk, EMPTY_REPLY);
    expect(reply).toEqual({
      content: 'Hello, world',
      reasoning: 'Let me think.',
      toolCalls: [],
      finishReason: 'stop',
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 8 } },
    });
  });

  it('assembles tool calls from their indexed pieces', () => {
    const chunks: ChatChunk[] = [
      delta({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'get_weather', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_2', function: { name: 'get_time', arguments: '{}' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Hangzhou"}' } }] }, 'tool_calls'),
    ];
    const reply = chunks.reduce(applyChunk, EMPTY_REPLY);
    expect(reply.toolCalls).toEqual([
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Hangzhou"}' },
      { id: 'call_2', name: 'get_time', arguments: '{}' },
    ]);
    expect(reply.finishReason).toBe('tool_calls');
  });
});

describe('carriesOutput', () => {
  it('is false for the role chunk and the usage chunk, true for text, reasoning and tool calls', () => {
    expect(carriesOutput(delta({ content: '' }))).toBe(false);
    expect(carriesOutput({ choices: [], usage: { completion_tokens: 1 } })).toBe(false);
    expect(carriesOutput(delta({ content: 'a' }))).toBe(true);
    expect(carriesOutput(delta({ reasoning_content: 'a' }))).toBe(true);
    expect(carriesOutput(delta({ tool_calls: [{ index: 0, id: 'c' }] }))).toBe(true);
  });
});
