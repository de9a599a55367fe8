// Renders a batch as the OpenAI-compatible `batch` object Model Studio answers with.
import type { BatchRecord } from '../../core/store.js';
import { unixSeconds as seconds } from '../../lib/unix-seconds.js';
import { encodeListPage } from './encode-list-page.js';

export function encodeBatch(batch: BatchRecord): object {
  return {
    id: batch.id,
    object: 'batch',
    endpoint: batch.endpoint,
    errors:
      batch.errors.length === 0
        ? null
        : { object: 'list', data: batch.errors.map((error) => ({ code: error.code, message: error.message, param: error.param ?? null, line: error.line ?? null })) },
    input_file_id: batch.inputFileId,
    completion_window: batch.completionWindow,
    status: batch.status,
    output_file_id: batch.outputFileId ?? null,
    error_file_id: batch.errorFileId ?? null,
    created_at: seconds(batch.createdAt),
    in_progress_at: seconds(batch.inProgressAt),
    expires_at: seconds(batch.expiresAt),
    finalizing_at: seconds(batch.finalizingAt),
    completed_at: seconds(batch.completedAt),
    failed_at: seconds(batch.failedAt),
    expired_at: seconds(batch.expiredAt),
    cancelling_at: seconds(batch.cancellingAt),
    cancelled_at: seconds(batch.cancelledAt),
    request_counts: batch.counts,
    metadata: batch.metadata ?? null,
  };
}

export function encodeBatchList(batches: readonly BatchRecord[], hasMore: boolean): object {
  return encodeListPage(batches, hasMore, encodeBatch);
}
