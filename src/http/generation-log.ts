// The 'generation' log line: how each generation ended, with its key, tokens, cost and timings.
import type { Logger } from 'pino';
import { toStudioError } from '../core/errors.js';
import type { GenerationObserver } from './generation.js';
import { logFailure } from './log-failure.js';

export function generationLog(logger: Logger): GenerationObserver {
  return {
    onEnd: (requestId, outcome) =>
      logger.info(
        {
          requestId,
          keyId: outcome.keyId,
          wire: outcome.wire,
          stream: outcome.stream,
          model: outcome.modelRequested,
          modelServed: outcome.modelServed,
          inputTokens: outcome.usage?.inputTokens,
          outputTokens: outcome.usage?.outputTokens,
          cost: outcome.usage?.cost?.total,
          currency: outcome.usage?.cost?.currency,
          finishReason: outcome.finishReason?.raw,
          outcome: outcome.status === 'error' ? outcome.errorCode : outcome.status,
          ttftMs: outcome.ttftMs === undefined ? undefined : Math.round(outcome.ttftMs),
          ms: Math.round(outcome.durationMs),
        },
        'generation',
      ),
    onStreamError: (requestId, error) => logFailure(logger, requestId, toStudioError(error)),
  };
}
