// `npx tsx bench/batch-shapes.ts`: what llama_decode costs for the same work sent as differently shaped batches (which
// sequences, how many tokens each, in which order), on the bench model, every sequence already holding --position
// tokens. Without a unified KV cache llama.cpp computes a batch in passes over runs of consecutive ascending sequence
// ids, the same number of tokens from each; a batch that mixes one stream's one-token step with other sequences'
// prompt steps, or prompt steps of unequal length, is cut into passes of a few tokens from several sequences.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { benchModelPath } from '../test/test-model.js';
import { positiveInteger } from './positive-integer.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(availableParallelism()) },
    position: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '3' },
  },
});
const threads = positiveInteger('threads', values.threads);
const position = positiveInteger('position', values.position);
const rounds = positiveInteger('rounds', values.rounds);

/** Sequence id and token count of each item, in the order the batch lists them. */
type Shape = readonly (readonly [sequence: number, tokens: number])[];

const sequences = [0, 1, 2, 3, 4, 5, 6, 7];
/**
 * The same work two ways: as one batch in the order node-llama-cpp sends it (ascending, patches/), and apart: a
 * one-token step in a batch of its own, the prompt steps in descending order, which makes each a pass of its own.
 */
const comparisons: readonly { readonly name: string; readonly together: Shape; readonly apart: readonly Shape[] }[] = [
  {
    name: 'a stream decoding beside two prompt steps',
    together: [[0, 64], [1, 1], [2, 64]],
    apart: [[[1, 1]], [[2, 64], [0, 64]]],
  },
  {
    name: 'prompt steps of unequal length (follow-up turns arriving apart)',
    together: [[0, 72], [2, 72], [3, 86], [4, 50], [5, 71], [6, 70], [7, 70]],
    apart: [[[7, 70], [6, 70], [5, 71], [4, 50], [3, 86], [2, 72], [0, 72]]],
  },
  {
    name: 'prompt steps of one length (copies of one system prompt)',
    together: [[0, 42], [1, 42], [2, 42], [3, 42], [4, 42], [5, 42], [6, 42]],
    apart: [[[6, 42], [5, 42], [4, 42], [3, 42], [2, 42], [1, 42], [0, 42]]],
  },
];

const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: await benchModelPath() });
const context = await model.createContext({ contextSize: 2048, sequences: sequences.length, threads });
if (position + 128 > context.contextSize) throw new Error(`--position leaves no room in a context of ${context.contextSize} tokens`);

/** The context's native batch calls, which take the items exactly in the order given. */
const native = (context as unknown as { _ctx: NativeContext })._ctx;
interface NativeContext {
  initBatch(size: number): void;
  addToBatch(sequence: number, position: number, tokens: Uint32Array, logits: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  removeTokenCellsFromSequence(sequence: number, start: number, end: number): boolean;
}

const tokenCount = (shape: Shape) => shape.reduce((total, [, tokens]) => total + tokens, 0);
const randomTokens = (count: number) => Uint32Array.from({ length: count }, () => 1000 + Math.floor(Math.random() * 50_000));

async function decode(shape: Shape, at: (sequence: number) => number): Promise<number> {
  native.initBatch(tokenCount(shape));
  for (const [sequence, tokens] of shape) native.addToBatch(sequence, at(sequence), randomTokens(tokens), Uint32Array.of(tokens - 1));
  const startedAt = performance.now();
  await native.decodeBatch();
  return performance.now() - startedAt;
}

/** Decodes the shapes one after the other from `position`, then forgets what they added. */
async function measure(shapes: readonly Shape[]): Promise<number> {
  const next = new Map(sequences.map((sequence) => [sequence, position]));
  let ms = 0;
  for (const shape of shapes) {
    ms += await decode(shape, (sequence) => next.get(sequence) ?? position);
    for (const [sequence, tokens] of shape) next.set(sequence, (next.get(sequence) ?? position) + tokens);
  }
  for (const sequence of sequences) native.removeTokenCellsFromSequence(sequence, position, -1);
  return ms;
}

for (const sequence of sequences) {
  for (let filled = 0; filled < position; filled += 256) await decode([[sequence, Math.min(256, position - filled)]], () => filled);
}
await measure(comparisons.map((comparison) => comparison.together)); // warm-up, not counted

for (const comparison of comparisons) {
  const together: number[] = [];
  const apart: number[] = [];
  for (let round = 0; round < rounds; round++) {
    together.push(await measure([comparison.together]));
    apart.push(await measure(comparison.apart));
  }
  const [one, split] = [median(together), median(apart)];
  console.log(`${comparison.name}, ${tokenCount(comparison.together)} tokens: as one batch ${one.toFixed(0)} ms, apart ${split.toFixed(0)} ms (${(split / one).toFixed(2)}×)`);
}
await llama.dispose();
