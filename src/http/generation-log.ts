// The 'generation' log line: how each generation ended, with its tokens, cost and duration.
import type { Logger } from 'pino';
import { toStudioError } from '../core/errors.js';
import type { GenerationObserver } from './generation.js';
import { logFailure } from './log-failure.js';
import { ShutdownError } from './shutdown-error.js';

export function generationLog(logger: Logger): GenerationObserver {
  return {
    onEnd: (requestId, { model, usage, finishReason, error, durationMs }) =>
      logger.info(
        {
          requestId,
          model,
          inputTokens: usage?.inputTokens,
          outputTokens: usage?.outputTokens,
          cost: usage?.cost?.total,
          currency: usage?.cost?.currency,
          finishReason: finishReason?.raw,
          outcome: error === undefined ? 'completed' : error instanceof ShutdownError ? 'shutdown' : toStudioError(error).code,
          ms: Math.round(durationMs),
        },
        'generation',
      ),
    onStreamError: (requestId, error) => logFailure(logger, requestId, toStudioError(error)),
  };
}
