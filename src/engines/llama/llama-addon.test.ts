import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaAddon } from './llama-addon.js';

describe('llamaAddon', () => {
  let folder: string;
  let marker: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'llama-addon-'));
    marker = join(folder, 'studio-addon.json');
    await writeFile(marker, '{}');
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it("names the patched CPU build by the marker native/build-addon.mjs writes, and any other local build node-llama-cpp's own", () => {
    expect(llamaAddon({ buildType: 'localBuild', gpu: false }, marker)).toBe('patched');
    expect(llamaAddon({ buildType: 'localBuild', gpu: false }, join(folder, 'missing.json'))).toBe('source-build');
    expect(llamaAddon({ buildType: 'localBuild', gpu: 'cuda' }, marker)).toBe('source-build');
    expect(llamaAddon({ buildType: 'prebuilt', gpu: false }, marker)).toBe('prebuilt');
  });
});
