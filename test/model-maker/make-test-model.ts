// CLI: tsx test/model-maker/make-test-model.ts --shape tiny|bench --out FILE [--seed N] writes a seeded Qwen3 test model.
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, isQwen3ShapeName, qwen3Shapes, writeQwen3Model, type Qwen3ShapeName } from './qwen3-model.js';

const usage = `usage: make-test-model --shape ${Object.keys(qwen3Shapes).join('|')} --out FILE [--seed N]`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        shape: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string', default: String(DEFAULT_SEED) },
      },
    }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

function parseCommandLine(): { shape: Qwen3ShapeName; out: string; seed: number } {
  const { shape, out, seed } = parseOptions();
  if (shape === undefined || !isQwen3ShapeName(shape)) fail(`--shape must be one of ${Object.keys(qwen3Shapes).join(', ')}`);
  if (out === undefined) fail('--out is required');
  if (!/^\d{1,15}$/.test(seed)) fail('--seed must be a non-negative integer');
  return { shape, out, seed: Number(seed) };
}

const { shape, out, seed } = parseCommandLine();
const started = performance.now();
await writeQwen3Model(out, shape, seed);
const seconds = (performance.now() - started) / 1000;
const { size } = await stat(out);
console.log(`wrote ${out}: Qwen3 ${shape}, seed ${seed}, ${(size / 2 ** 20).toFixed(1)} MiB in ${seconds.toFixed(1)} s`);
