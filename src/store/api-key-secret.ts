// The secrets of API keys: random base62 text shown once, and the digest and prefix that are all the store keeps.
import { randomBytes } from 'node:crypto';
import baseX from 'base-x';

const base62 = baseX('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');

const SECRET_BYTES = 32;
const ID_BYTES = 12;
const KEY_PREFIX_LENGTH = 8;

export function newKeySecret(): string {
  return `sk-${base62.encode(randomBytes(SECRET_BYTES))}`;
}

export function newKeyId(): string {
  return `key_${base62.encode(randomBytes(ID_BYTES))}`;
}

/** The characters after 'sk-' shown in lists, enough to tell keys apart and useless to an attacker. */
export function keyPrefix(secret: string): string {
  return secret.slice(3, 3 + KEY_PREFIX_LENGTH);
}
