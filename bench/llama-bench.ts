// Runs llama.cpp's llama-bench: the raw prefill and decode speed of the model, with no server in the way.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';

export interface LlamaBenchTest {
  /** Prompt tokens evaluated in one batch (0 for a decode test). */
  readonly promptTokens: number;
  /** Tokens generated one at a time (0 for a prefill test). */
  readonly generatedTokens: number;
  readonly repetitions: number;
}

export interface LlamaBenchResult extends LlamaBenchTest {
  readonly tokensPerSecond: number;
  readonly stddevTokensPerSecond: number;
}

/** `-o json` prints one object per test; each run here is one test. */
const outputSchema = z.tuple([z.object({ avg_ts: z.number(), stddev_ts: z.number() })]);

export async function runLlamaBench(binary: string, model: string, threads: number, test: LlamaBenchTest): Promise<LlamaBenchResult> {
  const args = ['-m', model, '-t', String(threads), '-p', String(test.promptTokens), '-n', String(test.generatedTokens)];
  const { stdout } = await promisify(execFile)(binary, [...args, '-r', String(test.repetitions), '-o', 'json'], { maxBuffer: 16 * 1024 * 1024 });
  const [row] = outputSchema.parse(JSON.parse(stdout));
  return { ...test, tokensPerSecond: row.avg_ts, stddevTokensPerSecond: row.stddev_ts };
}
