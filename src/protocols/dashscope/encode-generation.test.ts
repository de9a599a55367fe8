import { describe, expect, it } from 'vitest';
import { collectGeneration } from '../../core/collect-generation.js';
import type { GenerationEvent } from '../../core/generation-event.js';
import type { OutputFormat } from './decode-generation-request.js';
import { encodeGeneration } from './encode-generation.js';
import { answerLogprobsOnTheWire, answerWithLogprobs, thinkingWithTools, twoInterleavedChoices } from '../../../test/fixtures/generation-events.js';

const REQUEST_ID = '5b1e9a0c-7d42-4f3e-9c61-0a8d2e4b7f13';

async function* replay(events: GenerationEvent[]): AsyncGenerator<GenerationEvent> {
  yield* events;
}

/** The body as a client parses it. */
async function body(format: OutputFormat, events: GenerationEvent[]): Promise<unknown> {
  return JSON.parse(JSON.stringify(encodeGeneration(format, await collectGeneration(replay(events)), REQUEST_ID)));
}

describe('encodeGeneration', () => {
  it('puts reasoning, text and typed, indexed tool calls in the message, with reasoning tokens in the usage', async () => {
    const events = thinkingWithTools;
    expect(await body('message', events)).toStrictEqual({
      output: {
        choices: [
          {
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
          },
        ],
      },
      usage: { input_tokens: 12, output_tokens: 20, total_tokens: 32, output_tokens_details: { reasoning_tokens: 4 } },
      request_id: REQUEST_ID,
    });
  });

  const plain: GenerationEvent[] = [
    { type: 'start', model: 'qwen-plus', inputTokens: 5 },
    { type: 'text-delta', choice: 0, delta: 'Hello.', outputTokens: 2 },
    { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'eos' } },
    { type: 'usage', usage: { inputTokens: 5, outputTokens: 2 } },
  ];

  it('leaves reasoning_content, tool_calls and output_tokens_details out of a plain answer', async () => {
    expect(await body('message', plain)).toStrictEqual({
      output: { choices: [{ message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }] },
      usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
      request_id: REQUEST_ID,
    });
  });

  it('answers the text format with output.text', async () => {
    expect(await body('text', plain)).toStrictEqual({
      output: { text: 'Hello.', finish_reason: 'stop' },
      usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
      request_id: REQUEST_ID,
    });
  });

  it('lists every choice of n > 1 with its index, each with its own message and finish_reason', async () => {
    const events = twoInterleavedChoices;
    expect(await body('message', events)).toStrictEqual({
      output: {
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Yes, sure' }, finish_reason: 'length' },
          { index: 1, message: { role: 'assistant', content: 'No.', reasoning_content: 'Hmm.' }, finish_reason: 'stop' },
        ],
      },
      usage: { input_tokens: 5, output_tokens: 6, total_tokens: 11 },
      request_id: REQUEST_ID,
    });
  });

  it('puts the logprobs on their choice, with the bytes and top alternatives of every token', async () => {
    expect(await body('message', answerWithLogprobs)).toStrictEqual({
      output: {
        choices: [
          {
            message: { role: 'assistant', content: 'Hié' },
            finish_reason: 'stop',
            logprobs: { content: answerLogprobsOnTheWire },
          },
        ],
      },
      usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
      request_id: REQUEST_ID,
    });
  });
});

describe('encodeGeneration for the multimodal endpoint', () => {
  it('puts the answer in a content list of one text item, reasoning and tool calls beside it as in the message format', async () => {
    expect(await body('multimodal', thinkingWithTools)).toMatchObject({
      output: {
        choices: [{ message: { role: 'assistant', content: [{ text: 'Let me check.' }], reasoning_content: 'The user wants weather.' }, finish_reason: 'tool_calls' }],
      },
      usage: { input_tokens: 12, output_tokens: 20, total_tokens: 32 },
      request_id: REQUEST_ID,
    });
  });

  it('gives an empty answer an empty content list', async () => {
    const events: GenerationEvent[] = [
      { type: 'start', model: 'qwen-vl-plus', inputTokens: 3 },
      { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'eos' } },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 0 } },
    ];
    expect(await body('multimodal', events)).toMatchObject({ output: { choices: [{ message: { role: 'assistant', content: [] }, finish_reason: 'stop' }] } });
  });
});
