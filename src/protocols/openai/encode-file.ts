// Renders Batch API files as the OpenAI-compatible `file` object Model Studio answers with, one by one or as a list page.
import type { FileRecord } from '../../core/store.js';
import { unixSeconds } from '../../lib/unix-seconds.js';
import { encodeListPage } from './encode-list-page.js';

export function encodeFile(file: FileRecord): object {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: unixSeconds(file.createdAt),
    filename: file.filename,
    purpose: file.purpose,
    // A file is usable once its upload is answered: there is no later processing.
    status: 'processed',
    status_details: null,
  };
}

export function encodeFileList(files: readonly FileRecord[], hasMore: boolean): object {
  return encodeListPage(files, hasMore, encodeFile);
}

export function encodeFileDeleted(id: string): object {
  return { id, object: 'file', deleted: true };
}
