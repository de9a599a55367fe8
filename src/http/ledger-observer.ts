// Writes each generation to the usage ledger: a row opened at admission, closed with the tokens the engine counted.
import type { Logger } from 'pino';
import { ledgerTokens } from '../core/ledger-tokens.js';
import type { Ledger } from '../core/store.js';
import type { GenerationObserver } from './generation.js';

/**
 * The close's commit is what the reply's final byte waits for. A store that fails to write is
 * logged and the reply still goes out: its tokens are spent by then, and a lost answer would not
 * make the record whole.
 */
export function ledgerObserver(ledger: Ledger, logger: Logger): GenerationObserver {
  return {
    onStart: (requestId, start) =>
      ledger.open({
        requestId,
        startedAt: start.startedAt,
        keyId: start.keyId,
        modelRequested: start.modelRequested,
        wire: start.wire,
        stream: start.stream,
        n: start.n,
      }),
    onEnd: async (requestId, outcome) => {
      const { usage } = outcome;
      try {
        await ledger.close({
          requestId,
          modelServed: outcome.modelServed,
          ...ledgerTokens(usage),
          cost: usage?.cost?.total,
          currency: usage?.cost?.currency,
          ttftMs: outcome.ttftMs === undefined ? undefined : Math.round(outcome.ttftMs),
          durationMs: Math.round(outcome.durationMs),
          finishReason: outcome.finishReason?.unified,
          status: outcome.status,
          errorCode: outcome.status === 'error' ? outcome.errorCode : undefined,
        });
      } catch (error) {
        logger.error({ requestId, err: error }, 'the usage ledger could not record this request');
      }
    },
  };
}
