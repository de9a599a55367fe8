import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../core/generation-event.js';
import type { OutputFormat } from './decode-generation-request.js';
import { createGenerationStreamEncoder } from './generation-stream-encoder.js';
import { logprob, thinkingWithTools, wireLogprob } from '../../../test/fixtures/generation-events.js';

const REQUEST_ID = '5b1e9a0c-7d42-4f3e-9c61-0a8d2e4b7f13';
const weather = { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } };
const time = { index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } };


/** `choices`: the request's `n`, or null where the caller does not say. */
function frames(events: GenerationEvent[], resultFormat: OutputFormat, incrementalOutput: boolean, choices: number | null = 1): string[] {
  const encoder = createGenerationStreamEncoder({ resultFormat, incrementalOutput, requestId: REQUEST_ID, ...(choices === null ? {} : { choices }) });
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
/** A packet of one of several choices: with its index, and its logprobs when given. */
const choicePacket = (index: number, message: object, tokens: object, finishReason = 'null', logprobs?: object[]): object => ({
  output: {
    choices: [{ index, message: { role: 'assistant', ...message }, finish_reason: finishReason, ...(logprobs === undefined ? {} : { logprobs: { content: logprobs } }) }],
  },
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
    { type: 'text-delta', choice: 0, delta: 'Hel', outputTokens: 1 },
    { type: 'text-delta', choice: 0, delta: 'lo.', outputTokens: 2 },
    { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'eos' } },
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
    const thinking: GenerationEvent[] = [plain[0]!, { type: 'reasoning-delta', choice: 0, delta: 'Hmm.', outputTokens: 1 }, ...plain.slice(1)];
    expect(packets(frames(thinking, 'text', false))).toStrictEqual([
      { output: { text: 'Hel', finish_reason: 'null' }, usage: usage(1), request_id: REQUEST_ID },
      { output: { text: 'Hello.', finish_reason: 'null' }, usage: usage(2), request_id: REQUEST_ID },
      { output: { text: 'Hello.', finish_reason: 'stop' }, usage: usage(2), request_id: REQUEST_ID },
    ]);
  });

  it('names index 0 in every packet when not told how many answers the request asked for', () => {
    expect(packets(frames(plain, 'message', true, null))).toStrictEqual([
      choicePacket(0, { content: 'Hel' }, usage(1)),
      choicePacket(0, { content: 'lo.' }, usage(2)),
      choicePacket(0, { content: '' }, usage(2), 'stop'),
    ]);
  });

  // Two answers whose events interleave; choice 1 finishes first, so choice 0's finish ends the stream.
  const twoChoices: GenerationEvent[] = [
    { type: 'start', model: 'qwen-plus', inputTokens: 12 },
    { type: 'text-delta', choice: 0, delta: 'Yes', outputTokens: 1 },
    { type: 'text-delta', choice: 1, delta: 'No.', outputTokens: 3 },
    { type: 'finish', choice: 1, finishReason: { unified: 'stop', raw: 'eos' } },
    { type: 'text-delta', choice: 0, delta: ', sure', outputTokens: 5 },
    { type: 'finish', choice: 0, finishReason: { unified: 'length', raw: 'maxTokens' } },
    { type: 'usage', usage: { inputTokens: 12, outputTokens: 5 } },
  ];

  it('puts each choice of n > 1 in packets of its own, with its index; the last finish comes with the final usage', () => {
    expect(packets(frames(twoChoices, 'message', true, 2))).toStrictEqual([
      choicePacket(0, { content: 'Yes' }, usage(1)),
      choicePacket(1, { content: 'No.' }, usage(3)),
      choicePacket(1, { content: '' }, usage(3), 'stop'),
      choicePacket(0, { content: ', sure' }, usage(5)),
      choicePacket(0, { content: '' }, usage(5), 'length'),
    ]);
  });

  it('keeps everything so far per choice when cumulative', () => {
    expect(packets(frames(twoChoices, 'message', false, 2))).toStrictEqual([
      choicePacket(0, { content: 'Yes' }, usage(1)),
      choicePacket(1, { content: 'No.' }, usage(3)),
      choicePacket(1, { content: 'No.' }, usage(3), 'stop'),
      choicePacket(0, { content: 'Yes, sure' }, usage(5)),
      choicePacket(0, { content: 'Yes, sure' }, usage(5), 'length'),
    ]);
  });

  it('keeps reasoning_content per choice: only the choice that thought carries it', () => {
    const events: GenerationEvent[] = [
      { type: 'start', model: 'qwen-plus', inputTokens: 12 },
      { type: 'reasoning-delta', choice: 1, delta: 'Hmm.', outputTokens: 1 },
      { type: 'text-delta', choice: 0, delta: 'A', outputTokens: 2 },
      { type: 'text-delta', choice: 1, delta: 'B', outputTokens: 3 },
      { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'eos' } },
      { type: 'finish', choice: 1, finishReason: { unified: 'stop', raw: 'eos' } },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 3 } },
    ];
    expect(packets(frames(events, 'message', true, 2))).toStrictEqual([
      choicePacket(1, { content: '', reasoning_content: 'Hmm.' }, usage(1)),
      choicePacket(0, { content: 'A' }, usage(2)),
      choicePacket(1, { content: 'B', reasoning_content: '' }, usage(3)),
      choicePacket(0, { content: '' }, usage(3), 'stop'),
      choicePacket(1, { content: '', reasoning_content: '' }, usage(3), 'stop'),
    ]);
  });

  // Log-probabilities come before their text; the last entry's text (a stop string) never comes.
  const withLogprobs: GenerationEvent[] = [
    { type: 'start', model: 'qwen-plus', inputTokens: 12 },
    { type: 'logprobs', choice: 0, content: [logprob('Hel', -0.1, 'Hi')] },
    { type: 'text-delta', choice: 0, delta: 'Hel', outputTokens: 1 },
    { type: 'logprobs', choice: 0, content: [logprob('lo.', -0.2, 'lo!')] },
    { type: 'text-delta', choice: 0, delta: 'lo.', outputTokens: 2 },
    { type: 'logprobs', choice: 0, content: [logprob('END', -0.3, 'The')] },
    { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'stopGenerationTrigger' } },
    { type: 'usage', usage: { inputTokens: 12, outputTokens: 3 } },
  ];
  const hel = wireLogprob('Hel', -0.1, 'Hi');
  const lo = wireLogprob('lo.', -0.2, 'lo!');
  const end = wireLogprob('END', -0.3, 'The');

  it('hands incremental packets the logprobs of their text, and the finish those of text never sent', () => {
    const logprobPacket = (message: object, tokens: object, content: object[], finishReason = 'null'): object => ({
      output: { choices: [{ message: { role: 'assistant', ...message }, finish_reason: finishReason, logprobs: { content } }] },
      usage: tokens,
      request_id: REQUEST_ID,
    });
    expect(packets(frames(withLogprobs, 'message', true))).toStrictEqual([
      logprobPacket({ content: 'Hel' }, usage(1), [hel]),
      logprobPacket({ content: 'lo.' }, usage(2), [lo]),
      logprobPacket({ content: '' }, usage(3), [end], 'stop'),
    ]);
  });

  it('gives cumulative packets every logprob so far, and leaves the key out until there is one', () => {
    const events: GenerationEvent[] = [withLogprobs[0]!, { type: 'reasoning-delta', choice: 0, delta: 'Hmm.', outputTokens: 1 }, ...withLogprobs.slice(1)];
    expect(packets(frames(events, 'message', false, 2))).toStrictEqual([
      choicePacket(0, { content: '', reasoning_content: 'Hmm.' }, usage(1)),
      choicePacket(0, { content: 'Hel', reasoning_content: 'Hmm.' }, usage(1), 'null', [hel]),
      choicePacket(0, { content: 'Hello.', reasoning_content: 'Hmm.' }, usage(2), 'null', [hel, lo]),
      choicePacket(0, { content: 'Hello.', reasoning_content: 'Hmm.' }, usage(3), 'stop', [hel, lo, end]),
    ]);
  });

  it('keeps the logprobs of interleaved choices apart', () => {
    const events: GenerationEvent[] = [
      { type: 'start', model: 'qwen-plus', inputTokens: 12 },
      { type: 'logprobs', choice: 0, content: [logprob('Hel', -0.1, 'Hi')] },
      { type: 'logprobs', choice: 1, content: [logprob('lo.', -0.2, 'lo!')] },
      { type: 'text-delta', choice: 1, delta: 'lo.', outputTokens: 2 },
      { type: 'text-delta', choice: 0, delta: 'Hel', outputTokens: 2 },
      { type: 'finish', choice: 1, finishReason: { unified: 'stop', raw: 'eos' } },
      { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'eos' } },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 2 } },
    ];
    expect(packets(frames(events, 'message', true, 2))).toStrictEqual([
      choicePacket(1, { content: 'lo.' }, usage(2), 'null', [lo]),
      choicePacket(0, { content: 'Hel' }, usage(2), 'null', [hel]),
      choicePacket(1, { content: '' }, usage(2), 'stop'),
      choicePacket(0, { content: '' }, usage(2), 'stop'),
    ]);
  });
});

describe('createGenerationStreamEncoder for the multimodal endpoint', () => {
  const answer: GenerationEvent[] = [
    { type: 'start', model: 'qwen-vl-plus', inputTokens: 12 },
    { type: 'text-delta', choice: 0, delta: 'A dog', outputTokens: 2 },
    { type: 'text-delta', choice: 0, delta: ' and a girl.', outputTokens: 5 },
    { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'eos' } },
    { type: 'usage', usage: { inputTokens: 12, outputTokens: 5 } },
  ];

  it('sends content lists of the answer so far when cumulative, as qwen-vl does by default', () => {
    expect(packets(frames(answer, 'multimodal', false))).toStrictEqual([
      packet({ content: [{ text: 'A dog' }] }, usage(2)),
      packet({ content: [{ text: 'A dog and a girl.' }] }, usage(5)),
      packet({ content: [{ text: 'A dog and a girl.' }] }, usage(5), 'stop'),
    ]);
  });

  it('sends pieces when incremental, and an empty list in packets that bring no text', () => {
    expect(packets(frames(answer, 'multimodal', true))).toStrictEqual([
      packet({ content: [{ text: 'A dog' }] }, usage(2)),
      packet({ content: [{ text: ' and a girl.' }] }, usage(5)),
      packet({ content: [] }, usage(5), 'stop'),
    ]);
    expect(packets(frames(thinkingWithTools, 'multimodal', true))[0]).toStrictEqual(packet({ content: [], reasoning_content: 'The user ' }, usage(2)));
  });
});
