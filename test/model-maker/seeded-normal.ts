// Deterministic normal samples, one independent stream per tensor, so a model's weights depend only on the seed and tensor name.
import { createHash } from 'node:crypto';

/** Values per yielded chunk: big enough to amortize the file writes, a multiple of 32 so Q8_0 chunks hold whole blocks. */
const NORMAL_CHUNK_VALUES = 1 << 18;

/** xoshiro128**: tiny, fast and statistically sound, which is all test weights need. */
class Xoshiro128StarStar {
  // TypeScript-private rather than #private: V8 runs this hot loop about twice as fast with plain fields.
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: Buffer) {
    this.s0 = seed.readInt32LE(0);
    this.s1 = seed.readInt32LE(4);
    this.s2 = seed.readInt32LE(8);
    this.s3 = seed.readInt32LE(12);
  }

  /** Uniform on [-1, 1). */
  nextSigned(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9);
    const shifted = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= shifted;
    this.s3 = rotateLeft(this.s3, 11);
    return result * 2 ** -31;
  }
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/**
 * Yields `count` samples of N(0, std²) in chunks that reuse one buffer.
 * Marsaglia's polar method needs no trigonometry, which keeps the ~600M samples of the bench model to seconds.
 */
export function* normalValues(seed: number, stream: string, count: number, std: number): Generator<Float32Array> {
  const random = new Xoshiro128StarStar(createHash('sha256').update(`${seed}/${stream}`).digest());
  const buffer = new Float32Array(Math.min(NORMAL_CHUNK_VALUES, count));
  for (let start = 0; start < count; start += buffer.length) {
    const chunk = count - start < buffer.length ? buffer.subarray(0, count - start) : buffer;
    let i = 0;
    while (i < chunk.length) {
      const u = random.nextSigned();
      const v = random.nextSigned();
      const radiusSquared = u * u + v * v;
      if (radiusSquared >= 1 || radiusSquared === 0) continue;
      const scale = std * Math.sqrt((-2 * Math.log(radiusSquared)) / radiusSquared);
      chunk[i++] = u * scale;
      if (i < chunk.length) chunk[i++] = v * scale;
    }
    yield chunk;
  }
}
