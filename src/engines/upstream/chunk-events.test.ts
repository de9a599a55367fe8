import { describe, expect, it } from 'vitest';
import { InvalidRequestError, UpstreamError } from '../../core/errors.js';
import type { GenerationEvent } from '../../core/generation-event.js';
import { ChunkEvents, type WireChunk } from './chunk-events.js';

function map(chunks: readonly WireChunk[], choices = 1): { events: GenerationEvent[]; mapper: ChunkEvents } {
  const mapper = new ChunkEvents(choices);
  const events = chunks.flatMap((chunk) => mapper.push(chunk));
  events.push(...mapper.end(true));
  return { events, mapper };
}

describe('ChunkEvents', () => {
  it('maps text deltas, the finish reason with its raw value, and the usage chunk', () => {
    const { events, mapper } = map([
      { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
      { choices: [{ index: 0, delta: { content: 'Hel' } }] },
      { choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'length' }] },
      {
        choices: [],
        usage: { prompt_tokens: 12, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 0 } },
      },
    ]);
    expect(events).toEqual([
      { type: 'text-delta', choice: 0, delta: 'Hel' },
      { type: 'text-delta', choice: 0, delta: 'lo' },
      { type: 'finish', choice: 0, finishReason: { unified: 'length', raw: 'length' } },
    ]);
    expect(mapper.usage).toEqual({ inputTokens: 12, outputTokens: 2, cachedInputTokens: 8, reasoningTokens: 0 });
  });

  it('reads reasoning from reasoning_content and from vLLM’s newer reasoning field', () => {
    const { events } = map([
      { choices: [{ delta: { reasoning_content: 'think ' } }] },
      { choices: [{ delta: { reasoning: 'more' } }] },
      { choices: [{ delta: { content: 'answer' }, finish_reason: 'stop' }] },
    ]);
    expect(events.slice(0, 3)).toEqual([
      { type: 'reasoning-delta', choice: 0, delta: 'think ' },
      { type: 'reasoning-delta', choice: 0, delta: 'more' },
      { type: 'text-delta', choice: 0, delta: 'answer' },
    ]);
  });

  it('assembles tool calls from fragments per choice and index, and emits them whole before that choice finishes', () => {
    const { events } = map(
      [
        { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_a', function: { name: 'weather', arguments: '' } }] } }] },
        { choices: [{ index: 1, delta: { tool_calls: [{ index: 0, id: 'call_b', function: { name: 'time', arguments: '{}' } }] } }] },
        { choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_c', function: { name: 'news', arguments: '{"q":' } }] } }] },
        { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] } }] },
        { choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: '"x"}' } }] }, finish_reason: 'tool_calls' }] },
        { choices: [{ index: 1, delta: {}, finish_reason: 'tool_calls' }] },
      ],
      2,
    );
    expect(events).toEqual([
      { type: 'tool-call', choice: 0, index: 0, call: { id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' } },
      { type: 'tool-call', choice: 0, index: 1, call: { id: 'call_c', name: 'news', arguments: '{"q":"x"}' } },
      { type: 'finish', choice: 0, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
      { type: 'tool-call', choice: 1, index: 0, call: { id: 'call_b', name: 'time', arguments: '{}' } },
      { type: 'finish', choice: 1, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
    ]);
  });

  it('gives a tool call without an id one of its own', () => {
    const { events } = map([{ choices: [{ delta: { tool_calls: [{ function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] }]);
    expect(events[0]).toMatchObject({ type: 'tool-call', call: { id: expect.stringMatching(/^call_\w+$/), name: 'f' } });
  });

  it('maps logprobs before the text they belong to, filling bytes a server leaves out', () => {
    const { events } = map([
      {
        choices: [
          {
            delta: { content: 'é' },
            logprobs: { content: [{ token: 'é', logprob: -0.5, bytes: null, top_logprobs: [{ token: 'e', logprob: -1, bytes: [101] }] }] },
            finish_reason: 'stop',
          },
        ],
      },
    ]);
    expect(events[0]).toEqual({
      type: 'logprobs',
      choice: 0,
      content: [{ token: 'é', bytes: [0xc3, 0xa9], logprob: -0.5, topLogprobs: [{ token: 'e', bytes: [101], logprob: -1 }] }],
    });
    expect(events[1]).toEqual({ type: 'text-delta', choice: 0, delta: 'é' });
  });

  it('maps known finish reasons and keeps an unknown one as other, raw', () => {
    const finish = (raw: string): unknown => map([{ choices: [{ delta: {}, finish_reason: raw }] }]).events.at(-1);
    expect(finish('stop')).toMatchObject({ finishReason: { unified: 'stop', raw: 'stop' } });
    expect(finish('content_filter')).toMatchObject({ finishReason: { unified: 'content-filter', raw: 'content_filter' } });
    expect(finish('abort')).toMatchObject({ finishReason: { unified: 'other', raw: 'abort' } });
  });

  it('leaves usage unknown, never zero, when the upstream sends none', () => {
    const { mapper } = map([{ choices: [{ delta: { content: 'x' }, finish_reason: 'stop' }] }]);
    expect(mapper.usage).toEqual({ inputTokens: undefined, outputTokens: undefined });
  });

  it('finishes a choice left open as other after [DONE], and fails a stream that just stops', () => {
    expect(map([{ choices: [{ delta: { content: 'x' } }] }]).events.at(-1)).toEqual({ type: 'finish', choice: 0, finishReason: { unified: 'other', raw: undefined } });
    const cut = new ChunkEvents(1);
    cut.push({ choices: [{ delta: { content: 'x' } }] });
    expect(() => cut.end(false)).toThrow(UpstreamError);
  });

  it('turns an error object in the stream into an upstream error with its message, or an invalid request for a 400', () => {
    const mapper = new ChunkEvents(1);
    expect(() => mapper.push({ error: { message: 'CUDA out of memory' } })).toThrow(UpstreamError);
    expect(() => mapper.push({ error: { message: 'CUDA out of memory' } })).toThrow(/CUDA out of memory/);
    expect(() => mapper.push({ error: { message: 'max_tokens is too large', code: 400 } })).toThrow(InvalidRequestError);
  });
});
