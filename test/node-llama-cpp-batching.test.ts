// What our patch to node-llama-cpp (patches/) makes of the batches a context sends to llama.cpp.
import { getLlama, LlamaLogLevel, type LlamaContext, type LlamaContextSequence, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModelPath } from './test-model.js';

interface BatchItem {
  readonly sequence: number;
  readonly tokens: number;
}

interface NativeBatching {
  initBatch(size: number): void;
  addToBatch(sequence: number, position: number, tokens: Uint32Array, logits: Uint32Array): Uint32Array;
}

/** Every batch the context evaluates from now on, item by item, in the order llama.cpp receives them. */
function recordBatches(context: LlamaContext): BatchItem[][] {
  const holder = context as unknown as { _ctx: NativeBatching };
  const native = holder._ctx;
  const batches: BatchItem[][] = [];
  const recording: NativeBatching = {
    initBatch(size) {
      batches.push([]);
      native.initBatch(size);
    },
    addToBatch(sequence, position, tokens, logits) {
      batches.at(-1)?.push({ sequence, tokens: tokens.length });
      return native.addToBatch(sequence, position, tokens, logits);
    },
  };
  holder._ctx = new Proxy(native, {
    get(target, key) {
      if (key in recording) return recording[key as keyof NativeBatching];
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return batches;
}

async function stream(sequence: LlamaContextSequence, prompt: Token[], count: number): Promise<void> {
  let generated = 0;
  for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
    void token;
    if (++generated === count) break;
  }
}

describe('batches of our patched node-llama-cpp', () => {
  let context: LlamaContext;
  let sequences: LlamaContextSequence[];
  beforeAll(async () => {
    const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: await tinyModelPath() });
    context = await model.createContext({ contextSize: 256, sequences: 4, batchSize: 64, threads: 1 });
    sequences = [0, 1, 2, 3].map(() => context.getSequence());
  });
  afterAll(() => context?.model.llama.dispose());

  it('never mixes prompt steps with one-token steps, orders each for llama.cpp, and lets both kinds take turns', async () => {
    const tokens = (count: number, first: number): Token[] => Array.from({ length: count }, (_, index) => (first + index * 7) as Token);
    const batches = recordBatches(context);
    const streams = [stream(sequences[1]!, tokens(3, 100), 80), stream(sequences[2]!, tokens(3, 200), 80)];
    while (batches.length < 4) await new Promise((resolve) => setImmediate(resolve));
    // Prompts arrive while both streams decode: two of unequal length, two of one length, then two that take several batches.
    const prompts = async (first: number, second: number): Promise<string[]> => {
      const from = batches.length;
      await Promise.all([sequences[0]!.evaluateWithoutGeneratingNewTokens(tokens(first, 300)), sequences[3]!.evaluateWithoutGeneratingNewTokens(tokens(second, 400))]);
      return batches.slice(from).map((batch) => batch.map((item) => `${item.sequence}:${item.tokens}`).join(' '));
    };
    const unequal = await prompts(40, 20);
    const equal = await prompts(30, 30);
    const long = await prompts(100, 100);
    await Promise.all(streams);

    const streamsStep = '1:1 2:1';
    const isPromptBatch = (batch: string) => !batch.split(' ').some((item) => item.endsWith(':1'));
    // The streams' one-token steps ascend, which llama.cpp computes in one pass, and no prompt step joins them.
    for (const batch of [...unequal, ...equal, ...long].filter((batch) => !isPromptBatch(batch))) expect(['1:1', '2:1', streamsStep]).toContain(batch);
    // Prompt steps of unequal length descend: a pass each, not a pass of 20 tokens from both and one of the rest.
    expect(unequal.filter(isPromptBatch)).toEqual(['3:20 0:40']);
    // Steps of one length ascend: one pass for both.
    expect(equal.filter(isPromptBatch)).toEqual(['0:30 3:30']);
    // Prompts longer than a batch take turns with the streams.
    const longPrompts = long.flatMap((batch, index) => (isPromptBatch(batch) ? [index] : []));
    expect(longPrompts.length).toBeGreaterThan(2);
    for (const index of longPrompts.slice(0, -1)) expect(long[index + 1]).toBe(streamsStep);
  });
});
