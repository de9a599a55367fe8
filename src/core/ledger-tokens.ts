// The token counts a ledger row keeps of a generation's usage, whether it came over HTTP or from a batch line.
import type { Usage } from './generation-event.js';
import type { LedgerClose } from './store.js';

export type LedgerTokens = Pick<LedgerClose, 'promptTokens' | 'cachedTokens' | 'completionTokens' | 'reasoningTokens' | 'usageReported'>;

export function ledgerTokens(usage: Usage | undefined): LedgerTokens {
  return {
    promptTokens: usage?.inputTokens ?? 0,
    cachedTokens: usage?.cachedInputTokens ?? 0,
    completionTokens: usage?.outputTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    // No usage at all means the engine never ran (nothing evaluated); a usage that leaves a count out means the engine did not know it.
    usageReported: usage === undefined || (usage.inputTokens !== undefined && usage.outputTokens !== undefined),
  };
}
