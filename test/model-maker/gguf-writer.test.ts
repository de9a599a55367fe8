import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgmlType, readGgufFileInfo } from 'node-llama-cpp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  float32ToFloat16Bits,
  Q8_0_BLOCK_BYTES,
  Q8_0_BLOCK_VALUES,
  quantizeQ8_0,
  writeGgufFile,
  type GgufTensor,
} from './gguf-writer.js';
import { normalValues } from './seeded-normal.js';

function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function dequantizeQ8_0(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks = bytes.length / Q8_0_BLOCK_BYTES;
  const values = new Float32Array(blocks * Q8_0_BLOCK_VALUES);
  for (let block = 0; block < blocks; block++) {
    const scale = float16BitsToNumber(view.getUint16(block * Q8_0_BLOCK_BYTES, true));
    for (let i = 0; i < Q8_0_BLOCK_VALUES; i++) {
      values[block * Q8_0_BLOCK_VALUES + i] = scale * view.getInt8(block * Q8_0_BLOCK_BYTES + 2 + i);
    }
  }
  return values;
}

function tensorOf(name: string, dims: number[], type: GgufTensor['type'], values: Float32Array): GgufTensor {
  return { name, dims, type, values: () => [values] };
}

describe('float32ToFloat16Bits', () => {
  it('rounds to the nearest half, ties to even, saturating to infinity', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000],
      [3 * 2 ** -25, 0x0002],
      [2 ** -14 - 2 ** -25, 0x0400],
      [-0, 0x8000],
      [Infinity, 0x7c00],
      [NaN, 0x7e00],
    ];
    for (const [value, bits] of cases) expect(float32ToFloat16Bits(value), `${value}`).toBe(bits);
  });

  it('maps every finite half back to its own bits', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) !== 0x7c00 && float32ToFloat16Bits(float16BitsToNumber(bits)) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('quantizeQ8_0', () => {
  it('reconstructs every value to within about half a step of its block scale', () => {
    const [values] = normalValues(7, 'q8', 32 * Q8_0_BLOCK_VALUES, 0.02);
    const restored = dequantizeQ8_0(quantizeQ8_0(values!));
    let worstErrorInSteps = 0;
    for (let start = 0; start < values!.length; start += Q8_0_BLOCK_VALUES) {
      const step = Math.max(...values!.subarray(start, start + Q8_0_BLOCK_VALUES).map(Math.abs)) / 127;
      for (let i = start; i < start + Q8_0_BLOCK_VALUES; i++) {
        worstErrorInSteps = Math.max(worstErrorInSteps, Math.abs(restored[i]! - values![i]!) / step);
      }
    }
    // Half a step from rounding, plus the fp16 scale's relative error (2^-11) over up to 127 steps.
    expect(worstErrorInSteps).toBeLessThanOrEqual(0.5 + 127 * 2 ** -11);
    expect(worstErrorInSteps).toBeGreaterThan(0.4);
  });

  it('puts the largest magnitude of a block at ±127 and an all-zero block at zero', () => {
    const values = new Float32Array(2 * Q8_0_BLOCK_VALUES);
    values[3] = -0.5;
    values[4] = 0.25;
    const bytes = quantizeQ8_0(values);
    const view = new DataView(bytes.buffer);
    expect(float16BitsToNumber(view.getUint16(0, true))).toBeCloseTo(0.5 / 127, 6);
    expect(view.getInt8(2 + 3)).toBe(-127);
    expect(view.getInt8(2 + 4)).toBe(64);
    expect(bytes.subarray(Q8_0_BLOCK_BYTES).every((byte) => byte === 0)).toBe(true);
  });
});

describe('writeGgufFile', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gguf-writer-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes metadata, tensor infos and 32-byte aligned data that node-llama-cpp reads back', async () => {
    const path = join(directory, 'model.gguf');
    const f32 = Float32Array.from([1, -2, 3.5, 0, 1e-3, 6]);
    const f16 = Float32Array.from([1, 0.1, -65504, 2 ** -24, 0.5]);
    const [q8] = normalValues(1, 'q8', 2 * 64, 1);
    await writeGgufFile(path, {
      metadata: {
        'general.architecture': { type: 'string', value: 'llama' },
        'test.uint32': { type: 'uint32', value: 4_000_000_000 },
        'test.int32': { type: 'int32', value: -7 },
        'test.float32': { type: 'float32', value: 0.5 },
        'test.uint64': { type: 'uint64', value: 2 ** 40 },
        'test.bool': { type: 'bool', value: true },
        'test.string': { type: 'string', value: 'héllo 世界' },
        'test.strings': { type: 'array', itemType: 'string', values: ['a', '', 'Ġb c'] },
        'test.int32s': { type: 'array', itemType: 'int32', values: [1, -3, 4] },
        'test.float32s': { type: 'array', itemType: 'float32', values: Float32Array.from([0.25, -1]) },
      },
      tensors: [
        tensorOf('f32', [3, 2], GgmlType.F32, f32),
        tensorOf('f16', [5], GgmlType.F16, f16),
        tensorOf('q8_0', [64, 2], GgmlType.Q8_0, q8!),
      ],
    });

    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.version).toBe(3);
    expect(info.metadata).toMatchObject({
      general: { architecture: 'llama' },
      test: {
        uint32: 4_000_000_000,
        int32: -7,
        float32: 0.5,
        uint64: 2n ** 40n,
        bool: true,
        string: 'héllo 世界',
        strings: ['a', '', 'Ġb c'],
        int32s: [1, -3, 4],
        float32s: [0.25, -1],
      },
    });
    const tensors = info.tensorInfo ?? [];
    // 24 bytes of F32 and 10 of F16 each pad up to the next 32-byte boundary.
    expect(tensors.map(({ name, dimensions, ggmlType, offset }) => ({ name, dimensions, ggmlType, offset }))).toEqual([
      { name: 'f32', dimensions: [3, 2], ggmlType: GgmlType.F32, offset: 0 },
      { name: 'f16', dimensions: [5], ggmlType: GgmlType.F16, offset: 32 },
      { name: 'q8_0', dimensions: [64, 2], ggmlType: GgmlType.Q8_0, offset: 64 },
    ]);

    const file = await readFile(path);
    const dataStart = Number(tensors[0]!.fileOffset);
    expect(dataStart % 32).toBe(0);
    expect(file.length).toBe(dataStart + 64 + 4 * Q8_0_BLOCK_BYTES + 24);
    const data = (offset: number, length: number) => new Uint8Array(file.buffer, file.byteOffset + dataStart + offset, length);
    expect(new Float32Array(data(0, 24).slice().buffer)).toEqual(f32);
    expect(Array.from(new Uint16Array(data(32, 10).slice().buffer))).toEqual(Array.from(f16, float32ToFloat16Bits));
    expect(data(64, 4 * Q8_0_BLOCK_BYTES)).toEqual(quantizeQ8_0(q8!));
  });

  it('streams a tensor given in several chunks', async () => {
    const path = join(directory, 'chunked.gguf');
    const [values] = normalValues(3, 'chunked', 256, 1);
    const whole = values!.slice();
    await writeGgufFile(path, {
      metadata: {},
      tensors: [{ name: 't', dims: [64, 4], type: GgmlType.Q8_0, values: () => [whole.subarray(0, 96), whole.subarray(96)] }],
    });
    const file = await readFile(path);
    expect(new Uint8Array(file.subarray(file.length - 8 * Q8_0_BLOCK_BYTES - 16, file.length - 16))).toEqual(quantizeQ8_0(whole));
  });

  it('rejects Q8_0 rows that are not whole blocks before writing anything', async () => {
    const path = join(directory, 'bad.gguf');
    const write = writeGgufFile(path, { metadata: {}, tensors: [tensorOf('t', [48, 2], GgmlType.Q8_0, new Float32Array(96))] });
    await expect(write).rejects.toThrow(/whole blocks/);
    expect(await readdir(directory)).toEqual([]);
  });

  it('keeps the previous file and leaves no temporary file behind when a write fails', async () => {
    const path = join(directory, 'model.gguf');
    await writeGgufFile(path, { metadata: {}, tensors: [tensorOf('t', [8], GgmlType.F32, new Float32Array(8))] });
    const previous = await readFile(path);
    const shortTensor = tensorOf('t', [16], GgmlType.F32, new Float32Array(8));
    await expect(writeGgufFile(path, { metadata: {}, tensors: [shortTensor] })).rejects.toThrow(/produced 32 bytes, expected 64/);
    expect(await readFile(path)).toEqual(previous);
    expect(await readdir(directory)).toEqual(['model.gguf']);
  });
});
