// Random ids as base62 text after a prefix, e.g. 'key_…' or 'file-…': unguessable, and safe in a URL path and a file name.
import { randomBytes } from 'node:crypto';
import baseX from 'base-x';

const base62 = baseX('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');

/** 12 random bytes (96 bits) by default. */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}${base62.encode(randomBytes(bytes))}`;
}
