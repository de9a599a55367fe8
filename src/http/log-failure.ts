// Logs an error as a fault of Studio's own when it is one; a client's mistake is only the access log's status.
import type { Logger } from 'pino';
import type { StudioError } from '../core/errors.js';

export function logFailure(logger: Logger, requestId: string, error: StudioError): void {
  if (error.code === 'internal') logger.error({ requestId, err: error.cause }, 'request failed');
}
