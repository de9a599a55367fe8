import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../core/generation-event.js';
import type { ResultFormat } from './decode-generation-request.js';
import { createGenerationStreamEncoder } from './generation-stream-encoder.js';

const REQUEST_ID = '5b1e9a0c-7d42-4f3e-9c61-0a8d2e4b7f13';
const weather = { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } };
const time = { index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } };

const thinkingWithTools: GenerationEvent[] = [
  { type: 'start', model: 'qwen-plus', inputTokens: 12 },
  { type: 'reasoning-delta', delta: 'The user ', outputTokens: 2 },
  { type: 'reasoning-delta', delta: 'wants weather.', outputTokens: 4 },
  { type: 'text-delta', delta: 'Let me check.', outputTokens: 7 },
  { type: 'tool-call', index: 0, call: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Hangzhou"}' }, outputTokens: 15 },
  { type: 'tool-call', index: 1, call: { id: 'call_2', name: 'get_time', arguments: '{}' }, outputTokens: 20 },
  { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
  { type: 'usage', usage: { inputTokens: 12, outputTokens: 20, reasoningTokens: 4 } },
];

function frames(events: GenerationEvent[], resultFormat: ResultFormat, incrementalOutput: boolean): string[] {
  const encoder = createGenerationStreamEncoder({ resultFormat, incrementalOutput, requestId: REQUEST_ID });
  return [...events.flatMap((event) => encoder.event(event)), ...encoder.end()];
}

/** The JSON of each frame's `data:` line. */
function packets(lines: string[]): unknown[] {
  return lines.map((frame) => JSON.parse(/\ndata:(.*)\n\n$/.exec(frame)?.[1] ?? 'null'));
}

const usage = (outputTokens: number): object => ({ input_tokens: 12, output_tokens: outputTokens, total_tokens: 12 + outputTokens });
const finalUsage = { ...usage(20), output_tokens_details: { reasoning_tokens: 4 } };
const packet = (message: object, tokens: object, finishReason = 'null'): object => ({
  output: { choices: [{ message: { role: 'assistant', ...message }, finish_reason: finishReason }] },
  usage: tokens,
  request_id: REQUEST_ID,
});

describe('createGenerationStreamEncoder', () => {
  it('sends pieces when incremental: reasoning first, then "" reasoning beside content and tool-call fragments', () => {
    expect(packets(frames(thinkingWithTools, 'message', true))).toStrictEqual([
      packet({ content: '', reasoning_content: 'The user ' }, usage(2)),
      packet({ content: '', reasoning_content: 'wants weather.' }, usage(4)),
      packet({ content: 'Let me check.', reasoning_content: '' }, usage(7)),
      packet({ content: '', reasoning_content: '', tool_calls: [weather] }, usage(15)),
      packet({ content: '', reasoning_content: '', tool_calls: [time] }, usage(20)),
      packet({ content: '', reasoning_content: '' }, finalUsage, 'tool_calls'),
    ]);
  });

  it('sends everything so far when cumulative: reasoning, content and tool calls alike', () => {
    const reasoning = 'The user wants weather.';
    expect(packets(frames(thinkingWithTools, 'message', false))).toStrictEqual([
      packet({ content: '', reasoning_content: 'The user ' }, usage(2)),
      packet({ content: '', reasoning_content: reasoning }, usage(4)),
      packet({ content: 'Let me check.', reasoning_content: reasoning }, usage(7)),
      packet({ content: 'Let me check.', reasoning_content: reasoning, tool_calls: [weather] }, usage(15)),
      packet({ content: 'Let me check.', reasoning_content: reasoning, tool_calls: [weather, time] }, usage(20)),
      packet({ content: 'Let me check.', reasoning_content: reasoning, tool_calls: [weather, time] }, finalUsage, 'tool_calls'),
    ]);
  });

  it('numbers result frames from 1 with no space after the colons', () => {
    const [first] = frames(thinkingWithTools, 'message', true);
    expect(first).toBe(`id:1\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify(packet({ content: '', reasoning_content: 'The user ' }, usage(2)))}\n\n`);
  });

  const plain: GenerationEvent[] = [
    { type: 'start', model: 'qwen-plus', inputTokens: 12 },
    { type: 'text-delta', delta: 'Hel', outputTokens: 1 },
    { type: 'text-delta', delta: 'lo.', outputTokens: 2 },
    { type: 'finish', finishReason: { unified: 'stop', raw: 'eos' } },
    { type: 'usage', usage: { inputTokens: 12, outputTokens: 2 } },
  ];

  it('leaves reasoning_content out when the model did not think', () => {
    expect(packets(frames(plain, 'message', true))).toStrictEqual([
      packet({ content: 'Hel' }, usage(1)),
      packet({ content: 'lo.' }, usage(2)),
      packet({ content: '' }, usage(2), 'stop'),
    ]);
  });

  it('skips thinking in the text format, which has no place for it', () => {
    const thinking: GenerationEvent[] = [plain[0]!, { type: 'reasoning-delta', delta: 'Hmm.', outputTokens: 1 }, ...plain.slice(1)];
    expect(packets(frames(thinking, 'text', false))).toStrictEqual([
      { output: { text: 'Hel', finish_reason: 'null' }, usage: usage(1), request_id: REQUEST_ID },
      { output: { text: 'Hello.', finish_reason: 'null' }, usage: usage(2), request_id: REQUEST_ID },
      { output: { text: 'Hello.', finish_reason: 'stop' }, usage: usage(2), request_id: REQUEST_ID },
    ]);
  });
});
