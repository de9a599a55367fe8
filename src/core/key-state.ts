// Whether a stored key may be used now: a revoked or expired key is refused at once.
import type { ApiKeyRecord } from './store.js';

export type KeyState = 'active' | 'expired' | 'revoked';

export function keyState(record: Pick<ApiKeyRecord, 'revokedAt' | 'expiresAt'>, now: Date = new Date()): KeyState {
  if (record.revokedAt !== undefined) return 'revoked';
  if (record.expiresAt !== undefined && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}
