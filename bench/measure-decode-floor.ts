// node-llama-cpp's own token loop against a plain C++ loop over the very same llama.cpp libraries, model and settings,
// taking turns: how much of the time per token lies beneath Studio, in how node-llama-cpp drives llama.cpp.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { ensureDecodeLoop, ensureLlamaCppSource } from './llama-cpp-build.js';
import { median } from './stats.js';

export interface DecodeFloorOptions {
  readonly model: string;
  readonly threads: number;
  readonly parallel: number;
  readonly ctx: number;
  /** Tokens generated per round and loop. */
  readonly tokens: number;
  /** Rounds counted; one more warms both loops up first. */
  readonly rounds: number;
  /** Hears each counted round. */
  readonly onRound?: (round: DecodeFloorRound) => void;
}

export interface DecodeFloorRound {
  /** Median milliseconds between consecutive tokens of node-llama-cpp's loop and of the plain loop. */
  readonly nodeLlamaCppMs: number;
  readonly plainMs: number;
}

export interface DecodeFloorResult {
  /** Which addon node-llama-cpp loaded: Studio's patched local build, or the prebuilt one. */
  readonly addon: 'local build' | 'prebuilt';
  readonly rounds: readonly DecodeFloorRound[];
  /** The median over rounds of each round's node-llama-cpp / plain ratio. */
  readonly ratio: number;
  /** The medians over rounds of each loop's time per token. */
  readonly nodeLlamaCppMs: number;
  readonly plainMs: number;
}

/** The prebuilt binaries node-llama-cpp loads on this platform (its backends are loaded from the same folder). */
async function prebuiltBinaries(): Promise<string> {
  const platform = `${process.platform}-${process.arch}`;
  const binariesPackage = (await import(`@node-llama-cpp/${platform}`)) as { getBinsDir(): { binsDir: string } };
  return join(binariesPackage.getBinsDir().binsDir, platform);
}

export async function measureDecodeFloor(options: DecodeFloorOptions): Promise<DecodeFloorResult> {
  const { model, threads, parallel, ctx, tokens, rounds } = options;
  const binaries = await prebuiltBinaries();
  const loopBinary = await ensureDecodeLoop(await ensureLlamaCppSource(), binaries);

  // The addon Studio runs on: the patched local build that `npm ci` installs (native/), over the prebuilt libraries, or
  // the prebuilt addon where that build is missing. Either way the plain loop runs over the same libraries.
  const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  const loop = spawn(loopBinary, [binaries, model, String(threads), String(parallel), String(ctx), String(tokens)], { stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    const loaded = await llama.loadModel({ modelPath: model });
    const context = await loaded.createContext({ contextSize: ctx, sequences: parallel, threads });
    const lines = createInterface({ input: loop.stdout })[Symbol.asyncIterator]();

    const nodeLlamaCppRound = async (round: number): Promise<number> => {
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
    };
    const plainLoopRound = async (): Promise<number> => {
      loop.stdin.write('round\n');
      const line = await lines.next();
      if (line.done === true) throw new Error('the plain loop exited');
      return Number(line.value);
    };

    // Round 0 warms both up (the first decodes of a context are slower) and is not counted.
    const counted: DecodeFloorRound[] = [];
    for (let round = 0; round <= rounds; round++) {
      const measured = { nodeLlamaCppMs: await nodeLlamaCppRound(round), plainMs: await plainLoopRound() };
      if (round === 0) continue;
      counted.push(measured);
      options.onRound?.(measured);
    }
    await context.dispose();
    await loaded.dispose();
    return {
      addon: llama.buildType === 'prebuilt' ? 'prebuilt' : 'local build',
      rounds: counted,
      ratio: median(counted.map((round) => round.nodeLlamaCppMs / round.plainMs)),
      nodeLlamaCppMs: median(counted.map((round) => round.nodeLlamaCppMs)),
      plainMs: median(counted.map((round) => round.plainMs)),
    };
  } finally {
    loop.kill();
    await llama.dispose();
  }
}
