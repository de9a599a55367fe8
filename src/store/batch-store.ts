// Batches and their lines in the store: a line's result and its count change in one transaction, so a restart resumes exactly.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { BatchEnd, BatchInputError, BatchLine, BatchLineResult, BatchRecord, BatchStatus, BatchStore, NewBatch } from '../core/store.js';
import { fromTimestamp, toIso } from './column-values.js';
import type { BatchesTable, Database } from './schema.js';

/** Lines per multi-row insert, well under SQLite's limit on bound values. */
const INSERT_CHUNK = 100;

const UNFINISHED: readonly BatchStatus[] = ['in_progress', 'cancelling', 'finalizing'];

function toRecord(row: Selectable<BatchesTable>): BatchRecord {
  const optional = (key: keyof BatchRecord, value: Date | string | null) => (value === null ? {} : { [key]: fromTimestamp(value) });
  return {
    id: row.id,
    owner: row.owner,
    endpoint: row.endpoint,
    inputFileId: row.input_file_id,
    completionWindow: row.completion_window,
    model: row.model,
    status: row.status as BatchStatus,
    ...(row.metadata === null ? {} : { metadata: JSON.parse(row.metadata) as Record<string, string> }),
    errors: row.errors === null ? [] : (JSON.parse(row.errors) as BatchInputError[]),
    ...(row.output_file_id === null ? {} : { outputFileId: row.output_file_id }),
    ...(row.error_file_id === null ? {} : { errorFileId: row.error_file_id }),
    counts: { total: Number(row.total), completed: Number(row.completed), failed: Number(row.failed) },
    createdAt: fromTimestamp(row.created_at),
    expiresAt: fromTimestamp(row.expires_at),
    ...optional('inProgressAt', row.in_progress_at),
    ...optional('finalizingAt', row.finalizing_at),
    ...optional('completedAt', row.completed_at),
    ...optional('failedAt', row.failed_at),
    ...optional('expiredAt', row.expired_at),
    ...optional('cancellingAt', row.cancelling_at),
    ...optional('cancelledAt', row.cancelled_at),
  } as BatchRecord;
}

function newRow(batch: NewBatch, status: BatchStatus, total: number, at: Date) {
  return {
    id: `batch_${randomUUID().replaceAll('-', '')}`,
    owner: batch.owner,
    endpoint: batch.endpoint,
    input_file_id: batch.inputFileId,
    completion_window: batch.completionWindow,
    model: batch.model,
    status,
    metadata: batch.metadata === undefined ? null : JSON.stringify(batch.metadata),
    total,
    created_at: toIso(at),
    expires_at: toIso(batch.expiresAt),
  };
}

const END_COLUMN = { failed: 'failed_at', completed: 'completed_at', expired: 'expired_at', cancelled: 'cancelled_at' } as const satisfies Record<BatchEnd, keyof BatchesTable>;

export class KyselyBatchStore implements BatchStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(batch: NewBatch, lines: readonly Omit<BatchLine, 'index'>[]): Promise<BatchRecord> {
    const at = new Date();
    const values = { ...newRow(batch, 'in_progress', lines.length, at), in_progress_at: toIso(at) };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('batches').values(values).execute();
      for (let start = 0; start < lines.length; start += INSERT_CHUNK) {
        const chunk = lines.slice(start, start + INSERT_CHUNK).map((line, offset) => ({
          batch_id: values.id,
          line_index: start + offset,
          custom_id: line.customId,
          body: line.body,
          status: 'pending',
        }));
        await trx.insertInto('batch_lines').values(chunk).execute();
      }
    });
    return (await this.#byId(values.id))!;
  }

  async createFailed(batch: NewBatch, errors: readonly BatchInputError[]): Promise<BatchRecord> {
    const at = new Date();
    const values = { ...newRow(batch, 'failed', 0, at), errors: JSON.stringify(errors), failed_at: toIso(at) };
    await this.db.insertInto('batches').values(values).execute();
    return (await this.#byId(values.id))!;
  }

  async get(owner: string, id: string): Promise<BatchRecord | undefined> {
    const row = await this.db.selectFrom('batches').selectAll().where('owner', '=', owner).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list(owner: string, query: { limit: number; after?: string }): Promise<BatchRecord[]> {
    let select = this.db.selectFrom('batches').selectAll().where('owner', '=', owner);
    if (query.after !== undefined) {
      const after = await this.db.selectFrom('batches').select(['created_at', 'id']).where('owner', '=', owner).where('id', '=', query.after).executeTakeFirst();
      if (after === undefined) return [];
      const createdAt = toIso(fromTimestamp(after.created_at));
      select = select.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', after.id)])]));
    }
    const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toRecord);
  }

  async unfinished(): Promise<BatchRecord[]> {
    const rows = await this.db.selectFrom('batches').selectAll().where('status', 'in', UNFINISHED).orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  async pendingLines(batchId: string, query: { limit: number; afterIndex?: number }): Promise<BatchLine[]> {
    const rows = await this.db
      .selectFrom('batch_lines')
      .select(['line_index', 'custom_id', 'body'])
      .where('batch_id', '=', batchId)
      .where('status', '=', 'pending')
      .where('line_index', '>', query.afterIndex ?? -1)
      .orderBy('line_index')
      .limit(query.limit)
      .execute();
    return rows.map((row) => ({ index: Number(row.line_index), customId: row.custom_id, body: row.body }));
  }

  async finishLine(batchId: string, result: BatchLineResult): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const changed = await trx
        .updateTable('batch_lines')
        .set({ status: result.succeeded ? 'succeeded' : 'failed', result: result.line })
        .where('batch_id', '=', batchId)
        .where('line_index', '=', result.index)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (changed.numUpdatedRows === 0n) return false;
      const counter = result.succeeded ? 'completed' : 'failed';
      await trx
        .updateTable('batches')
        .set((eb) => ({ [counter]: eb(counter, '+', 1) }))
        .where('id', '=', batchId)
        .execute();
      return true;
    });
  }

  async results(batchId: string, query: { limit: number; afterIndex?: number }): Promise<BatchLineResult[]> {
    const rows = await this.db
      .selectFrom('batch_lines')
      .select(['line_index', 'status', 'result'])
      .where('batch_id', '=', batchId)
      .where('status', '<>', 'pending')
      .where('line_index', '>', query.afterIndex ?? -1)
      .orderBy('line_index')
      .limit(query.limit)
      .execute();
    return rows.map((row) => ({ index: Number(row.line_index), succeeded: row.status === 'succeeded', line: row.result ?? '' }));
  }

  async requestCancel(owner: string, id: string, at: Date): Promise<BatchRecord | undefined> {
    await this.db.updateTable('batches').set({ status: 'cancelling', cancelling_at: toIso(at) }).where('owner', '=', owner).where('id', '=', id).where('status', '=', 'in_progress').execute();
    return this.get(owner, id);
  }

  async startFinalizing(id: string, at: Date): Promise<boolean> {
    const changed = await this.db
      .updateTable('batches')
      .set({ status: 'finalizing', finalizing_at: toIso(at) })
      .where('id', '=', id)
      .where('status', 'in', ['in_progress', 'cancelling'])
      .executeTakeFirst();
    return changed.numUpdatedRows > 0n;
  }

  async end(id: string, status: BatchEnd, at: Date, files: { outputFileId?: string; errorFileId?: string }): Promise<void> {
    await this.db
      .updateTable('batches')
      .set({ status, [END_COLUMN[status]]: toIso(at), output_file_id: files.outputFileId ?? null, error_file_id: files.errorFileId ?? null })
      .where('id', '=', id)
      .execute();
  }

  async #byId(id: string): Promise<BatchRecord | undefined> {
    const row = await this.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }
}
