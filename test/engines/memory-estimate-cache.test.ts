// The model pool keeps memory estimates in a file between starts, so a start after the first skips node-llama-cpp's estimate.
import { copyFile, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPool } from '../support/test-pool.js';
import { tinyModelPath } from '../test-model.js';

const BUDGET_BYTES = 8 * 1024 ** 3;

interface CachedEntry {
  path: string;
  mtimeMs: number;
  contextSize: number;
  sequences: number;
  ramBytes: number;
}

// Each test starts a pool as a new start of Studio would; they follow one another on one cache file.
describe('memory estimates kept between starts', () => {
  let folder: string;
  let modelPath: string;
  let cacheFile: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'studio-memory-estimates-'));
    // A copy of its own, whose modification time the test can change.
    modelPath = join(folder, 'tiny.gguf');
    await copyFile(await tinyModelPath(), modelPath);
    cacheFile = join(folder, 'data', 'memory-estimates.json');
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** Loads the model as a start-up does, and disposes of the pool whatever happens. */
  async function startPool(): Promise<void> {
    const pool = testPool([{ name: 'tiny', source: modelPath, contextSize: 256, parallel: 2, gpuLayers: 'auto', pinned: true }], {
      memoryBudgetBytes: BUDGET_BYTES,
      memoryEstimatesFile: cacheFile,
    });
    try {
      await pool.loadPinned();
    } finally {
      await pool.dispose();
    }
  }

  async function cachedFile(): Promise<{ version: number; entries: CachedEntry[] }> {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as { version: number; entries: CachedEntry[] };
  }

  async function cachedEntries(): Promise<CachedEntry[]> {
    return (await cachedFile()).entries;
  }

  it('writes the estimate of a model it loads to the file, creating its folder', async () => {
    await startPool();
    const entries = await cachedEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ path: modelPath, contextSize: 256, sequences: 2 });
    expect(entries[0]?.ramBytes).toBeGreaterThan(0);
    expect(entries[0]?.ramBytes).toBeLessThan(BUDGET_BYTES);
  });

  it('uses the estimate in the file on the next start', async () => {
    const file = await cachedFile();
    await writeFile(cacheFile, JSON.stringify({ ...file, entries: file.entries.map((entry) => ({ ...entry, ramBytes: 1000 * BUDGET_BYTES })) }));
    await expect(startPool()).rejects.toThrow(/needs about 8000\.0 GiB of memory .* more than the memory budget/);
  });

  it('estimates afresh once the model file has changed, and drops the old entry', async () => {
    const [stale] = await cachedEntries();
    const later = new Date(Date.now() + 60_000);
    await utimes(modelPath, later, later);
    await startPool();
    const entries = await cachedEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.mtimeMs).not.toBe(stale?.mtimeMs);
    expect(entries[0]?.ramBytes).toBeLessThan(BUDGET_BYTES);
  });

  it('loads despite a corrupt file, and replaces it', async () => {
    await writeFile(cacheFile, '{"version": 1, "entries": [');
    await startPool();
    expect(await cachedEntries()).toHaveLength(1);
  });
});
