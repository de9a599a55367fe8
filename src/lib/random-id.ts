// Random ids as base62 text after a prefix, e.g. 'key_…' or 'file-…': unguessable, and safe in a URL path and a file name.
import { randomBytes } from 'node:crypto';
import baseX from 'base-x';

const base62 = baseX('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');

/**
 * 12 random bytes (96 bits) by default. Padded with leading zeros to the length the largest value of
 * that many bytes takes, so every id of a kind has one length (unpadded, about 1 in 60 would be shorter).
 */
export function randomId(prefix: string, bytes = 12): string {
  const length = Math.ceil((bytes * 8) / Math.log2(62));
  return `${prefix}${base62.encode(randomBytes(bytes)).padStart(length, '0')}`;
}
