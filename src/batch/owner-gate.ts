// The key limits a batch's lines run under: its owner's key must still be active, and its lines count against the key's rpm and tpm.
import { PermissionDeniedError } from '../core/errors.js';
import { keyState } from '../core/key-state.js';
import type { Admission, RateLimiter } from '../core/rate-limiter.js';
import type { KeyStore } from '../core/store.js';
import type { LineGate } from './run-batch-line.js';

const OPEN: LineGate = { settle: async () => {} };

/**
 * Concurrency is left out: a batch's lines would hold the key's slots for as long as the batch runs
 * and refuse the key's live requests. A rate refusal makes the runner wait and run the line again.
 */
export function ownerGate(keys: Pick<KeyStore, 'get'>, limiter: RateLimiter | undefined): (owner: string) => Promise<LineGate> {
  return async (owner) => {
    if (owner === '') return OPEN;
    const record = await keys.get(owner);
    if (record === undefined || keyState(record) !== 'active') throw new PermissionDeniedError('The API key that created this batch is no longer active.');
    const { rpm, tpm } = record.limits;
    if (limiter === undefined || (rpm === undefined && tpm === undefined)) return OPEN;
    let admission: Admission | undefined;
    let reserved = 0;
    return {
      admit: async ({ inputTokens, maxTokens }) => {
        reserved = inputTokens + maxTokens;
        admission = await limiter.admit(owner, { rpm, tpm }, reserved);
      },
      settle: async (usage) => {
        // A count the engine could not give keeps what was reserved for it.
        await admission?.settle(usage === undefined ? reserved : (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)).catch(() => undefined);
      },
    };
  };
}
