import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../core/generation-event.js';
import { createChatStreamEncoder } from './chat-stream-encoder.js';
import { completionIdentity } from './completion-identity.js';
import { logprob, thinkingWithTools, twoInterleavedChoices, wireLogprob } from '../../../test/fixtures/generation-events.js';

const identity = completionIdentity('5b1e9a0c-7d42-4f3e-9c61-0a8d2e4b7f13', 'qwen-plus', new Date(1_746_000_000_000));

const events = thinkingWithTools;

function frames(includeUsage: boolean, stream: GenerationEvent[] = events): string[] {
  const encoder = createChatStreamEncoder(identity, { includeUsage }, 'req');
  return [...stream.flatMap((event) => encoder.event(event)), ...encoder.end()];
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
/** A chunk of choice `index`, with the logprobs it carries when given. */
const choiceDelta = (index: number, content: object, finishReason: string | null = null, logprobs: object[] | null = null): object =>
  chunk([{ index, delta: content, finish_reason: finishReason, logprobs: logprobs === null ? null : { content: logprobs } }]);


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

  it('streams interleaved choices of n > 1 under their own index, each opened with the role and closed by its own finish', () => {
    expect(payloads(frames(true, twoInterleavedChoices))).toStrictEqual([
      choiceDelta(0, { role: 'assistant', content: '' }),
      choiceDelta(0, { content: 'Yes' }),
      choiceDelta(1, { role: 'assistant', content: '' }),
      choiceDelta(1, { content: null, reasoning_content: 'Hmm.' }),
      choiceDelta(1, { content: 'No.' }),
      choiceDelta(1, { content: '' }, 'stop'),
      choiceDelta(0, { content: ', sure' }),
      choiceDelta(0, { content: '' }, 'length'),
      chunk([], { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11, prompt_tokens_details: null }),
      '[DONE]',
    ]);
  });

  it('attaches the logprobs of a choice to its next content chunk, or to its finish when no text follows', () => {
    const withLogprobs: GenerationEvent[] = [
      { type: 'start', model: 'qwen-plus', inputTokens: 12 },
      { type: 'logprobs', choice: 0, content: [logprob('Hel', -0.1, 'Hi')] },
      { type: 'logprobs', choice: 1, content: [logprob('No', -0.4, 'Yes')] },
      { type: 'reasoning-delta', choice: 0, delta: 'Hmm.', outputTokens: 2 },
      { type: 'text-delta', choice: 1, delta: 'No', outputTokens: 3 },
      { type: 'text-delta', choice: 0, delta: 'Hel', outputTokens: 4 },
      { type: 'logprobs', choice: 0, content: [logprob('lo', -0.2, 'p'), logprob('.', -0.3, '!')] },
      { type: 'text-delta', choice: 0, delta: 'lo.', outputTokens: 5 },
      { type: 'text-delta', choice: 0, delta: '', outputTokens: 6 },
      { type: 'logprobs', choice: 1, content: [logprob('END', -0.5, 'The')] },
      { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'eos' } },
      { type: 'finish', choice: 1, finishReason: { unified: 'stop', raw: 'stopGenerationTrigger' } },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 6 } },
    ];
    expect(payloads(frames(false, withLogprobs))).toStrictEqual([
      choiceDelta(0, { role: 'assistant', content: '' }),
      choiceDelta(0, { content: null, reasoning_content: 'Hmm.' }),
      choiceDelta(1, { role: 'assistant', content: '' }),
      choiceDelta(1, { content: 'No' }, null, [wireLogprob('No', -0.4, 'Yes')]),
      choiceDelta(0, { content: 'Hel' }, null, [wireLogprob('Hel', -0.1, 'Hi')]),
      choiceDelta(0, { content: 'lo.' }, null, [wireLogprob('lo', -0.2, 'p'), wireLogprob('.', -0.3, '!')]),
      choiceDelta(0, { content: '' }),
      choiceDelta(0, { content: '' }, 'stop'),
      choiceDelta(1, { content: '' }, 'stop', [wireLogprob('END', -0.5, 'The')]),
      '[DONE]',
    ]);
  });
});
