// What our patch to node-llama-cpp (patches/) makes of the batches a context sends to llama.cpp.
import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyContext } from './support/tiny-context.js';

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
  const generation = sequence.evaluate(prompt, { temperature: 0 });
  for (let generated = 0; generated < count; generated++) await generation.next();
  await generation.return();
}

describe('batches of our patched node-llama-cpp', () => {
  let context: LlamaContext;
  let sequences: LlamaContextSequence[];
  beforeAll(async () => {
    context = await tinyContext({ contextSize: 256, sequences: 4, batchSize: 64, threads: 1 });
    sequences = [0, 1, 2, 3].map(() => context.getSequence());
  });
  afterAll(() => context?.model.llama.dispose());

  it('lists every batch in ascending sequence order and keeps the streams in phase while prompts join', async () => {
    const tokens = (count: number, first: number): Token[] => Array.from({ length: count }, (_, index) => (first + index * 7) as Token);
    const batches = recordBatches(context);
    const streams = [stream(sequences[1]!, tokens(3, 100), 40), stream(sequences[2]!, tokens(3, 200), 40), stream(sequences[3]!, tokens(3, 300), 40)];
    while (batches.length < 4) await new Promise((resolve) => setImmediate(resolve));
    // A prompt arrives while the streams decode, evaluated in steps as Studio's prefill does.
    for (let step = 0; step < 5; step++) await sequences[0]!.evaluateWithoutGeneratingNewTokens(tokens(30, 400 + step));
    await Promise.all(streams);

    // llama.cpp computes a batch in one pass only over ascending sequence ids (its KV cache is not unified).
    for (const batch of batches) {
      const order = batch.map((item) => item.sequence);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    // Once all three have started, every batch carries a step of each: none falls out of phase into batches of its own.
    const started = batches.findIndex((batch) => [1, 2, 3].every((sequence) => batch.some((item) => item.sequence === sequence)));
    const afterStart = batches.slice(started).filter((batch) => batch.some((item) => item.sequence !== 0 && item.tokens === 1));
    for (const batch of afterStart.slice(0, -1)) expect(batch.filter((item) => item.sequence !== 0).map((item) => item.sequence)).toEqual([1, 2, 3]);
    // Each of the prompt's steps rode along with the streams' steps, rather than stalling them.
    expect(batches.filter((batch) => batch.some((item) => item.sequence === 0)).map((batch) => batch.length)).toEqual([4, 4, 4, 4, 4]);
  });
});
