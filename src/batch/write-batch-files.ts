// A batch's output and error files, written from the results stored for its lines, a page at a time.
import type { BatchRecord, BatchStore, FileStore } from '../core/store.js';

const PAGE = 200;

async function* resultLines(batches: BatchStore, batchId: string, succeeded: boolean): AsyncIterable<Uint8Array> {
  let afterIndex: number | undefined;
  for (;;) {
    const page = await batches.results(batchId, { limit: PAGE, afterIndex });
    const text = page.filter((result) => result.succeeded === succeeded).map((result) => `${result.line}\n`).join('');
    if (text !== '') yield Buffer.from(text);
    if (page.length < PAGE) return;
    afterIndex = page[page.length - 1]!.index;
  }
}

/** Each file only where it has a line: an output file for the lines that succeeded, an error file for those that failed. */
export async function writeBatchFiles(batches: BatchStore, files: FileStore, batch: BatchRecord): Promise<{ outputFileId?: string; errorFileId?: string }> {
  const write = async (succeeded: boolean, count: number, name: string): Promise<string | undefined> => {
    if (count === 0) return undefined;
    const file = await files.create({ owner: batch.owner, filename: `${batch.id}_${name}.jsonl`, purpose: 'batch_output', content: resultLines(batches, batch.id, succeeded) });
    return file.id;
  };
  const outputFileId = await write(true, batch.counts.completed, 'output');
  const errorFileId = await write(false, batch.counts.failed, 'error');
  return { ...(outputFileId === undefined ? {} : { outputFileId }), ...(errorFileId === undefined ? {} : { errorFileId }) };
}
