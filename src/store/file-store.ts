// Batch API files: each one's bytes in a file named by its id in the files folder, its metadata in the database.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Kysely, Selectable } from 'kysely';
import { FileTooLargeError } from '../core/errors.js';
import type { FilePurpose, FileRecord, FileStore } from '../core/store.js';
import { randomId } from '../lib/random-id.js';
import { fromCount, fromTimestamp, toIso } from './column-values.js';
import type { Database, FilesTable } from './schema.js';

function toRecord(row: Selectable<FilesTable>): FileRecord {
  return {
    id: row.id,
    owner: row.owner,
    filename: row.filename,
    purpose: row.purpose as FilePurpose,
    bytes: fromCount(row.bytes),
    createdAt: fromTimestamp(row.created_at),
  };
}

/** Passes the chunks on, failing once more than `maxBytes` went through. */
function limitedTo(maxBytes: number | undefined, counted: (bytes: number) => void) {
  return async function* (source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    for await (const chunk of source) {
      bytes += chunk.byteLength;
      if (maxBytes !== undefined && bytes > maxBytes) throw new FileTooLargeError(maxBytes);
      counted(bytes);
      yield chunk;
    }
  };
}

export class KyselyFileStore implements FileStore {
  constructor(
    private readonly db: Kysely<Database>,
    /** Shared by every replica of one database; created on the first upload. */
    private readonly folder: string,
  ) {}

  /** Written under a temporary name and renamed once complete, so a file's name always holds all of its bytes. */
  async create(input: Parameters<FileStore['create']>[0]): Promise<FileRecord> {
    const id = randomId('file-');
    const path = join(this.folder, id);
    const partial = `${path}.partial`;
    let bytes = 0;
    await mkdir(this.folder, { recursive: true });
    try {
      await pipeline(input.content, limitedTo(input.maxBytes, (counted) => (bytes = counted)), createWriteStream(partial, { flags: 'wx' }));
      await rename(partial, path);
      const row = await this.db
        .insertInto('files')
        .values({ id, owner: input.owner, filename: input.filename, purpose: input.purpose, bytes, created_at: toIso(new Date()) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    } catch (error) {
      await Promise.all([rm(partial, { force: true }), rm(path, { force: true })]);
      throw error;
    }
  }

  async get(owner: string, id: string): Promise<FileRecord | undefined> {
    const row = await this.db.selectFrom('files').selectAll().where('owner', '=', owner).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(owner: string, { purpose, limit, after }: { purpose?: FilePurpose; limit: number; after?: string }): Promise<FileRecord[]> {
    let query = this.db.selectFrom('files').selectAll().where('owner', '=', owner);
    if (purpose !== undefined) query = query.where('purpose', '=', purpose);
    if (after !== undefined) {
      const cursor = await this.get(owner, after);
      if (cursor === undefined) return [];
      const createdAt = toIso(cursor.createdAt);
      query = query.where((where) => where.or([where('created_at', '<', createdAt), where.and([where('created_at', '=', createdAt), where('id', '<', cursor.id)])]));
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toRecord);
  }

  async read(owner: string, id: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    if ((await this.get(owner, id)) === undefined) return undefined;
    return createReadStream(join(this.folder, id));
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('files').where('owner', '=', owner).where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) return false;
    await rm(join(this.folder, id), { force: true });
    return true;
  }
}
