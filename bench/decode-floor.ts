// `npx tsx bench/decode-floor.ts`: node-llama-cpp's own token loop against a plain C++ loop over the very same
// llama.cpp binary, model and settings, taking turns. It tells how much of Studio's single-stream gap to llama-server
// lies beneath Studio, in node-llama-cpp, rather than in Studio's own code.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { benchModelPath } from '../test/test-model.js';
import { ensureDecodeLoop, ensureLlamaCppSource } from './llama-cpp-build.js';
import { positiveInteger } from './positive-integer.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(availableParallelism()) },
    parallel: { type: 'string', default: '8' },
    ctx: { type: 'string', default: '2048' },
    tokens: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '8' },
  },
});
const threads = positiveInteger('threads', values.threads);
const parallel = positiveInteger('parallel', values.parallel);
const ctx = positiveInteger('ctx', values.ctx);
const tokens = positiveInteger('tokens', values.tokens);
const rounds = positiveInteger('rounds', values.rounds);

/** The prebuilt binaries node-llama-cpp loads on this platform (its backends are loaded from the same folder). */
async function prebuiltBinaries(): Promise<string> {
  const platform = `${process.platform}-${process.arch}`;
  const binariesPackage = (await import(`@node-llama-cpp/${platform}`)) as { getBinsDir(): { binsDir: string } };
  return join(binariesPackage.getBinsDir().binsDir, platform);
}

const model = await benchModelPath();
const build = await ensureLlamaCppSource();
const binaries = await prebuiltBinaries();
const loopBinary = await ensureDecodeLoop(build, binaries);

// The addon Studio runs on: the patched local build that `npm ci` installs (native/), over the prebuilt libraries, or
// the prebuilt addon where that build is missing. Either way the plain loop runs over the same libraries.
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
console.log(`node-llama-cpp addon: ${llama.buildType === 'prebuilt' ? 'prebuilt' : 'local build (native/, when npm ci built it)'}`);
const context = await (await llama.loadModel({ modelPath: model })).createContext({ contextSize: ctx, sequences: parallel, threads });
const loop = spawn(loopBinary, [binaries, model, String(threads), String(parallel), String(ctx), String(tokens)], { stdio: ['pipe', 'pipe', 'ignore'] });
const lines = createInterface({ input: loop.stdout })[Symbol.asyncIterator]();

/** Milliseconds between consecutive tokens of one greedy generation, median. */
async function nodeLlamaCppRound(round: number): Promise<number> {
  const sequence = context.getSequence();
  try {
    const arrivals: number[] = [];
    const generation = sequence.evaluate([(100 + round) as Token], { temperature: 0 });
    while (arrivals.length < tokens && (await generation.next()).done !== true) arrivals.push(performance.now());
    await generation.return();
    return median(arrivals.slice(1).map((arrival, index) => arrival - (arrivals[index] ?? arrival)));
  } finally {
    sequence.dispose();
  }
}

async function plainLoopRound(): Promise<number> {
  loop.stdin.write('round\n');
  const line = await lines.next();
  if (line.done === true) throw new Error('the plain loop exited');
  return Number(line.value);
}

// Round 0 warms both up (the first decodes of a context are slower) and is not counted.
const ratios: number[] = [];
for (let round = 0; round <= rounds; round++) {
  const ours = await nodeLlamaCppRound(round);
  const plain = await plainLoopRound();
  if (round === 0) continue;
  ratios.push(ours / plain);
  console.log(`round ${round}: node-llama-cpp ${ours.toFixed(2)} ms/token, plain C++ loop ${plain.toFixed(2)} ms/token, ratio ${(ours / plain).toFixed(3)}`);
}
loop.kill();
console.log(`node-llama-cpp / plain loop, median of ${rounds} rounds: ${median(ratios).toFixed(3)}×`);
