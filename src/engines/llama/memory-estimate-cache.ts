// Keeps memory estimates in a JSON file between starts: node-llama-cpp's estimate is a simulated load that takes
// seconds (it builds the vocabulary again), and its answer does not change while the model file and the shape stay.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { z } from 'zod';
import { randomId } from '../../lib/random-id.js';
import type { ContextShape, estimateMemory, MemoryEstimate } from './estimate-memory.js';
import { nodeLlamaCppFolder } from './node-llama-cpp-folder.js';

const MAX_ENTRIES = 64;

const entrySchema = z.object({
  // The model file's absolute path, size and modification time: a changed file is estimated afresh.
  path: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  contextSize: z.number(),
  sequences: z.number(),
  gpuLayers: z.union([z.number(), z.enum(['auto', 'max'])]),
  gpu: z.union([z.literal(false), z.string()]),
  nodeLlamaCpp: z.string(),
  llamaCpp: z.string(),
  ramBytes: z.number().nonnegative(),
  vramBytes: z.number().nonnegative(),
});

type Entry = z.infer<typeof entrySchema>;
type EntryKey = Omit<Entry, 'ramBytes' | 'vramBytes'>;

// Raise the version when estimateMemory changes what it counts, so older files' estimates are not reused
// (2: a context's cells counted once, not once more per sequence).
const CACHE_VERSION = 2;
const cacheFileSchema = z.object({ version: z.literal(CACHE_VERSION), entries: z.array(entrySchema) });

const KEY_FIELDS = ['path', 'size', 'mtimeMs', 'contextSize', 'sequences', 'gpuLayers', 'gpu', 'nodeLlamaCpp', 'llamaCpp'] as const satisfies readonly (keyof EntryKey)[];

/**
 * The model's estimate from `file` when it holds one for this file, shape and binding; otherwise `estimate`'s, which is
 * then written there. Without a file, or on a GPU that picks its layers by the memory free now, it is `estimate`'s alone.
 * The file never fails a load: one that cannot be read counts as empty, and one that cannot be written is left as it is.
 */
export async function cachedMemoryEstimate(
  file: string | undefined,
  estimate: typeof estimateMemory,
  llama: Llama,
  modelPath: string,
  shape: ContextShape,
): Promise<MemoryEstimate> {
  if (file === undefined || (llama.gpu !== false && typeof shape.gpuLayers !== 'number')) return estimate(llama, modelPath, shape);
  const key = await entryKey(llama, modelPath, shape).catch(() => undefined);
  if (key === undefined) return estimate(llama, modelPath, shape);
  const entries = await readEntries(file);
  const found = entries.find((entry) => KEY_FIELDS.every((field) => entry[field] === key[field]));
  if (found !== undefined) return { ramBytes: found.ramBytes, vramBytes: found.vramBytes };
  const memory = await estimate(llama, modelPath, shape);
  await writeEntries(file, [{ ...key, ramBytes: memory.ramBytes, vramBytes: memory.vramBytes }, ...entries]).catch(() => undefined);
  return memory;
}

async function entryKey(llama: Llama, modelPath: string, shape: ContextShape): Promise<EntryKey> {
  const path = resolve(modelPath);
  const [{ size, mtimeMs }, nodeLlamaCpp] = await Promise.all([stat(path), nodeLlamaCppVersion()]);
  return {
    path,
    size,
    mtimeMs,
    contextSize: shape.contextSize,
    sequences: shape.sequences,
    gpuLayers: shape.gpuLayers,
    gpu: llama.gpu,
    nodeLlamaCpp,
    llamaCpp: llama.llamaCppRelease.release,
  };
}

async function nodeLlamaCppVersion(): Promise<string> {
  const manifest = z.object({ version: z.string() }).parse(JSON.parse(await readFile(join(nodeLlamaCppFolder(), 'package.json'), 'utf8')));
  return manifest.version;
}

async function readEntries(file: string): Promise<Entry[]> {
  try {
    const parsed = cacheFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data.entries : [];
  } catch {
    return [];
  }
}

/** Drops the entries of files that have changed or gone, keeps the newest MAX_ENTRIES, and replaces the file whole. */
async function writeEntries(file: string, entries: readonly Entry[]): Promise<void> {
  const current = await Promise.all(
    entries.map(async (entry) => {
      const now = await stat(entry.path).catch(() => undefined);
      return now?.size === entry.size && now.mtimeMs === entry.mtimeMs;
    }),
  );
  const kept = entries.filter((_, index) => current[index]).slice(0, MAX_ENTRIES);
  const folder = dirname(file);
  await mkdir(folder, { recursive: true });
  // Renamed into place, so a reader (another Studio on the same data folder) never sees half a file.
  const partial = join(folder, randomId('.memory-estimates-', 6) + '.partial');
  try {
    await writeFile(partial, JSON.stringify({ version: CACHE_VERSION, entries: kept } satisfies z.infer<typeof cacheFileSchema>));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
