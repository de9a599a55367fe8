// The memory estimate counts a context the way the engine creates it: `parallel` sequences of `contextSize` cells each.
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateMemory } from '../../src/engines/llama/estimate-memory.js';
import { tinyModelPath } from '../test-model.js';

const MIB = 2 ** 20;

describe('estimateMemory', () => {
  let llama: Llama;
  let model: string;
  const ram = async (contextSize: number, sequences: number): Promise<number> =>
    (await estimateMemory(llama, model, { contextSize, sequences, gpuLayers: 0 })).ramBytes;

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    model = await tinyModelPath();
  });
  afterAll(() => llama.dispose());

  it('counts parallel × context cells, as many as one sequence of the whole length', async () => {
    const [parallel, whole, small] = [await ram(8192, 8), await ram(65536, 1), await ram(1024, 1)];
    // The cells' memory shows: 64k cells take more than 1k.
    expect(whole - small).toBeGreaterThan(10 * MIB);
    // 8 sequences of 8192 are 64k cells, not 8 × 64k (an estimate that counted them so refused models that fit).
    expect(Math.abs(parallel - whole)).toBeLessThan(0.02 * whole);
  });
});
