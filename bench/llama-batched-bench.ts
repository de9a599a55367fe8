// Runs llama.cpp's llama-batched-bench: N sequences decoding together with nothing around llama_decode (no sampling,
// no HTTP), the most that a server on the same kernels can reach for N concurrent streams.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';

export interface BatchedBenchTest {
  readonly threads: number;
  /** Context of every sequence together, as llama-server's `-c`. */
  readonly contextTokens: number;
  /** How many sequences decode together. */
  readonly sequences: number;
  /** Each sequence's prompt, evaluated first, all sequences in one batch. */
  readonly promptTokens: number;
  /** Tokens each sequence then decodes, one per sequence per step. */
  readonly generatedTokens: number;
}

/** `--output-format jsonl` prints one such line per measurement, among log lines that are not JSON. */
const lineSchema = z.object({ pl: z.number(), speed_tg: z.number() });

/** All sequences' decoded tokens over the decode time. */
export async function batchedDecodeTokensPerSecond(binary: string, model: string, test: BatchedBenchTest): Promise<number> {
  const args = ['-m', model, '-t', String(test.threads), '-c', String(test.contextTokens), '-npl', String(test.sequences)];
  const { stdout } = await promisify(execFile)(binary, [...args, '-npp', String(test.promptTokens), '-ntg', String(test.generatedTokens), '--output-format', 'jsonl'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
  // It skips a measurement whose sequences do not fit the context, silently.
  if (line === undefined) throw new Error(`llama-batched-bench measured nothing for ${JSON.stringify(test)}:\n${stdout}`);
  return lineSchema.parse(JSON.parse(line)).speed_tg;
}
