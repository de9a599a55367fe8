// Writes GGUF v3 files (metadata, tensor infos, F32/F16/Q8_0 data) so tests can build models instead of downloading them.
import { randomUUID } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { GgmlType } from 'node-llama-cpp';

// Tensor bytes are written straight from typed arrays, which only matches GGUF's byte order on little-endian hosts.
if (endianness() !== 'LE') throw new Error('the GGUF writer needs a little-endian host');

export type GgufNumberType =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'float32'
  | 'uint64'
  | 'int64'
  | 'float64';

export type GgufValue =
  | { readonly type: GgufNumberType; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'array'; readonly itemType: GgufNumberType; readonly values: ArrayLike<number> }
  | { readonly type: 'array'; readonly itemType: 'bool'; readonly values: readonly boolean[] }
  | { readonly type: 'array'; readonly itemType: 'string'; readonly values: readonly string[] };

/** Insertion order is the order the keys are written in. */
export type GgufMetadata = Readonly<Record<string, GgufValue>>;

export type GgufTensorType = GgmlType.F32 | GgmlType.F16 | GgmlType.Q8_0;

export interface GgufTensor {
  readonly name: string;
  /** Innermost first, as ggml lists them: dims[0] is the row length. */
  readonly dims: readonly number[];
  readonly type: GgufTensorType;
  /**
   * Yields the values in storage order, in chunks so large tensors never sit in memory whole.
   * A chunk is read only until the next one is requested, so a producer may refill one buffer.
   * For Q8_0 every chunk must hold whole blocks of 32 values.
   */
  readonly values: () => Iterable<Float32Array>;
}

export interface GgufFile {
  readonly metadata: GgufMetadata;
  readonly tensors: readonly GgufTensor[];
}

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const GGUF_VERSION = 3;
const DEFAULT_ALIGNMENT = 32;
export const Q8_0_BLOCK_VALUES = 32;
export const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK_VALUES;

const VALUE_TYPE_IDS = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

const NUMBER_WRITERS: Record<GgufNumberType, { size: number; write: (view: DataView, at: number, value: number) => void }> = {
  uint8: { size: 1, write: (view, at, value) => view.setUint8(at, value) },
  int8: { size: 1, write: (view, at, value) => view.setInt8(at, value) },
  uint16: { size: 2, write: (view, at, value) => view.setUint16(at, value, true) },
  int16: { size: 2, write: (view, at, value) => view.setInt16(at, value, true) },
  uint32: { size: 4, write: (view, at, value) => view.setUint32(at, value, true) },
  int32: { size: 4, write: (view, at, value) => view.setInt32(at, value, true) },
  float32: { size: 4, write: (view, at, value) => view.setFloat32(at, value, true) },
  uint64: { size: 8, write: (view, at, value) => view.setBigUint64(at, BigInt(value), true) },
  int64: { size: 8, write: (view, at, value) => view.setBigInt64(at, BigInt(value), true) },
  float64: { size: 8, write: (view, at, value) => view.setFloat64(at, value, true) },
};

const textEncoder = new TextEncoder();

/** A growable little-endian buffer for the header, which holds the whole vocabulary and so runs to megabytes. */
class HeaderBuffer {
  #bytes = new Uint8Array(1 << 20);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  number(type: GgufNumberType, value: number): void {
    const { size, write } = NUMBER_WRITERS[type];
    this.#reserve(size);
    write(this.#view, this.#length, value);
    this.#length += size;
  }

  bool(value: boolean): void {
    this.number('uint8', value ? 1 : 0);
  }

  string(value: string): void {
    // UTF-8 never takes more than three bytes per UTF-16 code unit.
    this.#reserve(8 + value.length * 3);
    const { written } = textEncoder.encodeInto(value, this.#bytes.subarray(this.#length + 8));
    this.#view.setBigUint64(this.#length, BigInt(written), true);
    this.#length += 8 + written;
  }

  padTo(alignment: number): void {
    const padded = alignUp(this.#length, alignment);
    this.#reserve(padded - this.#length);
    this.#bytes.fill(0, this.#length, padded);
    this.#length = padded;
  }

  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  #reserve(size: number): void {
    if (this.#length + size <= this.#bytes.length) return;
    let capacity = this.#bytes.length * 2;
    while (capacity < this.#length + size) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }
}

function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

function elementCount(tensor: GgufTensor): number {
  return tensor.dims.reduce((count, dim) => count * dim, 1);
}

function tensorByteSize(tensor: GgufTensor): number {
  const count = elementCount(tensor);
  switch (tensor.type) {
    case GgmlType.F32:
      return count * 4;
    case GgmlType.F16:
      return count * 2;
    case GgmlType.Q8_0:
      return (count / Q8_0_BLOCK_VALUES) * Q8_0_BLOCK_BYTES;
  }
}

const f32Scratch = new Float32Array(1);
const f32ScratchBits = new Uint32Array(f32Scratch.buffer);

/** IEEE half-precision bits of `value`, rounded to nearest even as ggml's own conversion does. */
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = f32ScratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  // Below the normal range the implicit leading 1 becomes explicit and shifts into the subnormal mantissa.
  const shift = halfExponent <= 0 ? 14 - halfExponent : 13;
  if (shift > 24) return sign;
  const significand = halfExponent <= 0 ? mantissa | 0x800000 : mantissa;
  let half = (halfExponent <= 0 ? 0 : halfExponent << 10) | (significand >>> shift);
  const remainder = significand & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half += 1;
  return sign | half;
}

/** Quantizes as ggml's quantize_row_q8_0_ref does: per block of 32, an fp16 scale d = max|x|/127 and int8 round(x/d). */
export function quantizeQ8_0(values: Float32Array): Uint8Array {
  if (values.length % Q8_0_BLOCK_VALUES !== 0) throw new Error(`Q8_0 needs whole blocks of ${Q8_0_BLOCK_VALUES} values`);
  const blocks = values.length / Q8_0_BLOCK_VALUES;
  const out = new Uint8Array(blocks * Q8_0_BLOCK_BYTES);
  const quants = new Int8Array(out.buffer);
  let read = 0;
  let write = 0;
  for (let block = 0; block < blocks; block++) {
    let maxAbs = 0;
    for (let i = read; i < read + Q8_0_BLOCK_VALUES; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]!));
    const scale = maxAbs / 127;
    const inverse = scale === 0 ? 0 : 1 / scale;
    const scaleBits = float32ToFloat16Bits(scale);
    out[write++] = scaleBits & 0xff;
    out[write++] = scaleBits >>> 8;
    for (let i = 0; i < Q8_0_BLOCK_VALUES; i++) {
      const scaled = values[read++]! * inverse;
      // |scaled| <= 127, so after the shift `| 0` is a branch-free floor: round half up. ggml's roundf takes halves away
      // from zero instead, which random weights never land on; Math.round and Math.sign cost 4x on random signs.
      quants[write++] = ((scaled + 128.5) | 0) - 128;
    }
  }
  return out;
}

function encodeChunk(type: GgufTensorType, chunk: Float32Array): Uint8Array {
  switch (type) {
    case GgmlType.F32:
      return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    case GgmlType.F16: {
      const halves = new Uint16Array(chunk.length);
      for (let i = 0; i < chunk.length; i++) halves[i] = float32ToFloat16Bits(chunk[i]!);
      return new Uint8Array(halves.buffer);
    }
    case GgmlType.Q8_0:
      return quantizeQ8_0(chunk);
  }
}

function writeValue(header: HeaderBuffer, value: GgufValue): void {
  switch (value.type) {
    case 'bool':
      header.bool(value.value);
      return;
    case 'string':
      header.string(value.value);
      return;
    case 'array':
      header.number('uint32', VALUE_TYPE_IDS[value.itemType]);
      header.number('uint64', value.values.length);
      if (value.itemType === 'string') for (const item of value.values) header.string(item);
      else if (value.itemType === 'bool') for (const item of value.values) header.bool(item);
      else for (let i = 0; i < value.values.length; i++) header.number(value.itemType, value.values[i]!);
      return;
    default:
      header.number(value.type, value.value);
  }
}

function alignmentOf(metadata: GgufMetadata): number {
  const entry = metadata['general.alignment'];
  if (entry === undefined) return DEFAULT_ALIGNMENT;
  if (entry.type !== 'uint32' || entry.value <= 0 || entry.value % 8 !== 0) {
    throw new Error('general.alignment must be a uint32 multiple of 8');
  }
  return entry.value;
}

function validateTensor(tensor: GgufTensor): void {
  if (tensor.dims.length === 0 || tensor.dims.length > 4 || tensor.dims.some((dim) => !Number.isSafeInteger(dim) || dim <= 0)) {
    throw new Error(`tensor ${tensor.name} has invalid dims [${tensor.dims.join(', ')}]`);
  }
  if (tensor.type === GgmlType.Q8_0 && tensor.dims[0]! % Q8_0_BLOCK_VALUES !== 0) {
    throw new Error(`tensor ${tensor.name}: Q8_0 rows must hold whole blocks of ${Q8_0_BLOCK_VALUES} values`);
  }
}

/** The header: magic, version, counts, key/values, tensor infos, padded so tensor data starts aligned. */
function encodeGgufHeader({ metadata, tensors }: GgufFile): Uint8Array {
  const alignment = alignmentOf(metadata);
  const header = new HeaderBuffer();
  header.number('uint32', GGUF_MAGIC);
  header.number('uint32', GGUF_VERSION);
  header.number('uint64', tensors.length);
  header.number('uint64', Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    header.string(key);
    header.number('uint32', VALUE_TYPE_IDS[value.type]);
    writeValue(header, value);
  }
  let offset = 0;
  for (const tensor of tensors) {
    validateTensor(tensor);
    header.string(tensor.name);
    header.number('uint32', tensor.dims.length);
    for (const dim of tensor.dims) header.number('uint64', dim);
    header.number('uint32', tensor.type);
    header.number('uint64', offset);
    offset = alignUp(offset + tensorByteSize(tensor), alignment);
  }
  header.padTo(alignment);
  return header.bytes();
}

/**
 * Writes `file` to `path` tensor by tensor, through a temporary file renamed into place,
 * so readers (and racing writers of the same file) never see a partial model.
 */
export async function writeGgufFile(path: string, file: GgufFile): Promise<void> {
  const alignment = alignmentOf(file.metadata);
  const header = encodeGgufHeader(file);
  // The pid says whose leftover a stray temporary file is; the random part keeps two writers in one process apart.
  const temporaryPath = `${path}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    const handle = await open(temporaryPath, 'w');
    try {
      await handle.write(header);
      for (const tensor of file.tensors) await writeTensorData(handle, tensor, alignment);
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

async function writeTensorData(handle: FileHandle, tensor: GgufTensor, alignment: number): Promise<void> {
  const expected = tensorByteSize(tensor);
  let written = 0;
  for (const chunk of tensor.values()) {
    const bytes = encodeChunk(tensor.type, chunk);
    written += bytes.length;
    if (written > expected) break;
    await handle.write(bytes);
  }
  if (written !== expected) throw new Error(`tensor ${tensor.name} produced ${written} bytes, expected ${expected}`);
  const padding = alignUp(written, alignment) - written;
  if (padding > 0) await handle.write(new Uint8Array(padding));
}
