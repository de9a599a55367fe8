import { describe, expect, it } from 'vitest';
import { collectGeneration } from '../../core/collect-generation.js';
import type { GenerationEvent } from '../../core/generation-event.js';
import { completionIdentity } from './completion-identity.js';
import { encodeChatCompletion } from './encode-chat-completion.js';
import { answerLogprobsOnTheWire, answerWithLogprobs, twoInterleavedChoices } from '../../../test/fixtures/generation-events.js';

const identity = completionIdentity('5b1e9a0c-7d42-4f3e-9c61-0a8d2e4b7f13', 'qwen-plus', new Date(1_746_000_000_000));
const weather = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Hangzhou"}' };
const time = { id: 'call_2', name: 'get_time', arguments: '{}' };

async function* replay(events: GenerationEvent[]): AsyncGenerator<GenerationEvent> {
  yield* events;
}

/** The body as a client parses it. */
async function body(events: GenerationEvent[]): Promise<unknown> {
  return JSON.parse(JSON.stringify(encodeChatCompletion(identity, await collectGeneration(replay(events)))));
}

const envelope = { id: 'chatcmpl-5b1e9a0c-7d42-4f3e-9c61-0a8d2e4b7f13', object: 'chat.completion', created: 1_746_000_000, model: 'qwen-plus', system_fingerprint: null };

describe('encodeChatCompletion', () => {
  it('puts reasoning, text and tool calls in one message, with reasoning tokens in the usage', async () => {
    const events: GenerationEvent[] = [
      { type: 'start', model: 'qwen-plus', inputTokens: 12 },
      { type: 'reasoning-delta', choice: 0, delta: 'The user ', outputTokens: 2 },
      { type: 'reasoning-delta', choice: 0, delta: 'wants weather.', outputTokens: 4 },
      { type: 'text-delta', choice: 0, delta: 'Let me check.', outputTokens: 7 },
      { type: 'tool-call', choice: 0, index: 0, call: weather, outputTokens: 15 },
      { type: 'tool-call', choice: 0, index: 1, call: time, outputTokens: 20 },
      { type: 'finish', choice: 0, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 20, reasoningTokens: 4 } },
    ];
    expect(await body(events)).toStrictEqual({
      ...envelope,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            reasoning_content: 'The user wants weather.',
            tool_calls: [
              { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } },
              { index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
            ],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32, prompt_tokens_details: null, completion_tokens_details: { reasoning_tokens: 4 } },
    });
  });

  it('answers a tools-only turn with content ""', async () => {
    const events: GenerationEvent[] = [
      { type: 'start', model: 'qwen-plus', inputTokens: 5 },
      { type: 'tool-call', choice: 0, index: 0, call: time, outputTokens: 6 },
      { type: 'finish', choice: 0, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 6 } },
    ];
    expect(await body(events)).toMatchObject({
      choices: [{ message: { role: 'assistant', content: '', tool_calls: [{ index: 0, id: 'call_2' }] }, finish_reason: 'tool_calls' }],
    });
  });

  it('leaves reasoning_content, tool_calls and completion_tokens_details out of a plain answer', async () => {
    const events: GenerationEvent[] = [
      { type: 'start', model: 'qwen-plus', inputTokens: 5 },
      { type: 'text-delta', choice: 0, delta: 'Hello.', outputTokens: 2 },
      { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'eos' } },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 2 } },
    ];
    expect(await body(events)).toStrictEqual({
      ...envelope,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: null },
    });
  });

  it('answers n > 1 with one choice per answer, each with its index, message and finish_reason', async () => {
    const events = twoInterleavedChoices;
    expect(await body(events)).toStrictEqual({
      ...envelope,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Yes, sure' }, finish_reason: 'length', logprobs: null },
        { index: 1, message: { role: 'assistant', content: 'No.', reasoning_content: 'Hmm.' }, finish_reason: 'stop', logprobs: null },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11, prompt_tokens_details: null },
    });
  });

  it('puts the logprobs of each choice on it, with refusal null; a choice without any keeps logprobs null', async () => {
    // The answer's own events, and a second choice that finishes without any logprobs.
    const events: GenerationEvent[] = [...answerWithLogprobs.slice(0, -1), { type: 'finish', choice: 1, finishReason: { unified: 'stop', raw: 'eos' } }, ...answerWithLogprobs.slice(-1)];
    expect(await body(events)).toStrictEqual({
      ...envelope,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hié' },
          finish_reason: 'stop',
          logprobs: {
            content: answerLogprobsOnTheWire,
            refusal: null,
          },
        },
        { index: 1, message: { role: 'assistant', content: '' }, finish_reason: 'stop', logprobs: null },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: null },
    });
  });
});
