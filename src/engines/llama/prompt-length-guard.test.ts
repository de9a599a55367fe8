import { readFileSync } from 'node:fs';
import { getLlama, LlamaLogLevel, LlamaText, SpecialTokensText, type LlamaModel, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModelPath } from '../../../test/test-model.js';
import { ContextLengthExceededError } from '../../core/errors.js';
import { PromptLengthGuard } from './prompt-length-guard.js';

const signal = new AbortController().signal;

/** A chat turn around `text`, as the chat template writes it. */
const turn = (text: string): LlamaText => LlamaText([new SpecialTokensText('<|im_start|>'), 'user\n', text, new SpecialTokensText('<|im_end|>\n<|im_start|>'), 'assistant\n']);

// Texts longer than one chunk, of each kind a tokenizer treats differently.
const texts = {
  'one long word': 'a'.repeat(40_000),
  'repeated words': 'hello '.repeat(6_000),
  'Chinese': '你好'.repeat(12_000),
  'emoji (surrogate pairs)': '😀👍🏽'.repeat(5_000),
  'source code': readFileSync(new URL('./llama-engine.ts', import.meta.url), 'utf8').repeat(3),
  'runs of spaces': `${' '.repeat(9_000)}x\n`.repeat(4),
  'digits': '1234567890'.repeat(3_000),
};

async function refusal(check: Promise<void>): Promise<ContextLengthExceededError> {
  const error = await check.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(ContextLengthExceededError);
  return error as ContextLengthExceededError;
}

describe('PromptLengthGuard', () => {
  let model: LlamaModel;
  let guard: PromptLengthGuard;
  const exactly = (prompt: LlamaText): number => prompt.tokenize(model.tokenizer).length;

  beforeAll(async () => {
    const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: await tinyModelPath() });
    guard = new PromptLengthGuard(model);
  });
  afterAll(() => model?.llama.dispose());

  it('knows the longest text a token of the vocabulary stands for', () => {
    const count = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
    let longest = 0;
    for (let token = 0; token < count; token++) longest = Math.max(longest, Buffer.byteLength(model.detokenize([token as Token], true)));
    expect(guard.longestTokenBytes).toBe(longest);
  });

  it.each(['a'.repeat(3_000_000), '你好'.repeat(500_000), 'hello '.repeat(123_500)])('refuses megabytes from their length alone, without tokenizing them', async (text) => {
    const prompt = turn(text);
    const turns = countTurns();
    const error = await refusal(guard.check(prompt, 4095, signal));
    expect(turns()).toBe(0);
    expect(error.atLeast).toBe(true);
    expect(error.maxInputTokens).toBe(4095);
    expect(error.promptTokens).toBeGreaterThan(4095);
    expect(error.message).toBe(`Range of input length should be [1, 4095], got at least ${error.promptTokens} tokens.`);
  });

  it('counts a prompt under that bound chunk by chunk, letting the event loop run, and stops once it is surely too long', async () => {
    // 500 KB of one word: fewer than 4,095 tokens by its length, about 62,500 in fact.
    const prompt = turn('a'.repeat(500_000));
    expect(Math.ceil(500_000 / guard.longestTokenBytes)).toBeLessThan(4095);
    const turns = countTurns();
    const error = await refusal(guard.check(prompt, 4095, signal));
    expect(turns()).toBeGreaterThan(1);
    expect(error.atLeast).toBe(true);
    expect(error.promptTokens).toBeGreaterThan(4095);
    // It stopped long before the end of the text.
    expect(error.promptTokens).toBeLessThan(10_000);
  });

  it.each(Object.entries(texts))('never refuses a prompt that fits, and refuses one that does not with a true lower bound: %s', async (_kind, text) => {
    const prompt = turn(text);
    const tokens = exactly(prompt);
    await expect(guard.check(prompt, tokens, signal)).resolves.toBeUndefined();
    const error = await refusal(guard.check(prompt, Math.floor(tokens / 2), signal));
    expect(error.promptTokens).toBeGreaterThan(Math.floor(tokens / 2));
    expect(error.promptTokens).toBeLessThanOrEqual(tokens);
  });

  it('stops counting when the client goes away', async () => {
    const controller = new AbortController();
    const check = guard.check(turn('hello '.repeat(20_000)), 100_000, controller.signal);
    controller.abort();
    await expect(check).rejects.toMatchObject({ code: 'client_aborted' });
  });
});

/** How many turns of the event loop pass from now until the returned function is called. */
function countTurns(): () => number {
  let turns = 0;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return () => {
    stopped = true;
    return turns;
  };
}
