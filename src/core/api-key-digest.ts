// The digest by which a presented API key is looked up: the store keeps only this, never the key.
import { createHash } from 'node:crypto';

export function apiKeyDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
