// The secrets of API keys: random base62 text shown once, and the digest and prefix that are all the store keeps.
import { randomId } from '../lib/random-id.js';

const SECRET_BYTES = 32;
const KEY_PREFIX_LENGTH = 8;

export function newKeySecret(): string {
  return randomId('sk-', SECRET_BYTES);
}

export function newKeyId(): string {
  return randomId('key_');
}

/** The characters after 'sk-' shown in lists, enough to tell keys apart and useless to an attacker. */
export function keyPrefix(secret: string): string {
  return secret.slice(3, 3 + KEY_PREFIX_LENGTH);
}
