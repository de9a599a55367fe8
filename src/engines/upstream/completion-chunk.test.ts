import { describe, expect, it } from 'vitest';
import { ChunkEvents } from './chunk-events.js';
import { completionChunk } from './completion-chunk.js';

describe('completionChunk', () => {
  it('maps a blocking completion to the events its stream would have given', () => {
    const events = new ChunkEvents(1);
    const chunk = completionChunk({
      choices: [
        {
          index: 0,
          message: { content: 'Let me check.', reasoning_content: 'hm', tool_calls: [{ id: 'call_1', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    });
    expect(events.push(chunk)).toEqual([
      { type: 'reasoning-delta', choice: 0, delta: 'hm' },
      { type: 'text-delta', choice: 0, delta: 'Let me check.' },
      { type: 'tool-call', choice: 0, index: 0, call: { id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' } },
      { type: 'finish', choice: 0, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
    ]);
    expect(events.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
  });
});
