// Renders Batch API files as the OpenAI-compatible `file` object Model Studio answers with, one by one or as a list page.
import type { FileRecord } from '../../core/store.js';

export function encodeFile(file: FileRecord): object {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: Math.floor(file.createdAt.getTime() / 1000),
    filename: file.filename,
    purpose: file.purpose,
    // A file is usable once its upload is answered: there is no later processing.
    status: 'processed',
    status_details: null,
  };
}

export function encodeFileList(files: readonly FileRecord[], hasMore: boolean): object {
  return { object: 'list', data: files.map(encodeFile), first_id: files[0]?.id ?? null, last_id: files[files.length - 1]?.id ?? null, has_more: hasMore };
}

export function encodeFileDeleted(id: string): object {
  return { id, object: 'file', deleted: true };
}
