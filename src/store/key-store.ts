// API keys in the store: created with a secret shown once, looked up by its digest, revoked for good.
import type { Kysely, Selectable } from 'kysely';
import { InvalidRequestError, RouteNotFoundError } from '../core/errors.js';
import type { ApiKeyRecord, KeyLimits, KeyStore } from '../core/store.js';
import { apiKeyDigest } from '../core/api-key-digest.js';
import { keyPrefix, newKeyId, newKeySecret } from './api-key-secret.js';
import { fromOptionalTimestamp, fromTimestamp, toIso } from './column-values.js';
import type { ApiKeysTable, Database } from './schema.js';

function toRecord(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    limits: JSON.parse(row.limits) as KeyLimits,
    expiresAt: fromOptionalTimestamp(row.expires_at),
    revokedAt: fromOptionalTimestamp(row.revoked_at),
    createdAt: fromTimestamp(row.created_at),
    lastUsedAt: fromOptionalTimestamp(row.last_used_at),
  };
}

/** SQLite's and PostgreSQL's codes for a unique index that refused a row. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function nameTaken(name: string): InvalidRequestError {
  return new InvalidRequestError(`A key named '${name}' already exists.`, 'name');
}

export class KyselyKeyStore implements KeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    /** Last-used times go out with the ledger's next group commit. */
    private readonly queueTouch: (id: string, at: Date) => Promise<void>,
  ) {}

  async create(input: { name: string; limits: KeyLimits; expiresAt?: Date }): Promise<{ record: ApiKeyRecord; secret: string }> {
    const secret = newKeySecret();
    const row = {
      id: newKeyId(),
      name: input.name,
      prefix: keyPrefix(secret),
      digest: apiKeyDigest(secret),
      limits: JSON.stringify(input.limits),
      expires_at: input.expiresAt === undefined ? null : toIso(input.expiresAt),
      created_at: toIso(new Date()),
    };
    try {
      const inserted = await this.db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow();
      return { record: toRecord(inserted), secret };
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(input.name);
      throw error;
    }
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  /** By id, or by name: the key of that name not revoked, else the one revoked last. */
  async get(idOrName: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .orderBy((eb) => eb.case().when('id', '=', idOrName).then(0).else(1).end())
      .orderBy((eb) => eb.case().when('revoked_at', 'is', null).then(0).else(1).end())
      .orderBy('revoked_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async update(idOrName: string, change: { name?: string; limits?: KeyLimits; expiresAt?: Date | null }): Promise<ApiKeyRecord> {
    const current = await this.require(idOrName);
    const values = {
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.limits === undefined ? {} : { limits: JSON.stringify(change.limits) }),
      ...(change.expiresAt === undefined ? {} : { expires_at: change.expiresAt === null ? null : toIso(change.expiresAt) }),
    };
    if (Object.keys(values).length === 0) return current;
    try {
      const row = await this.db.updateTable('api_keys').set(values).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
      return toRecord(row);
    } catch (error) {
      if (isUniqueViolation(error) && change.name !== undefined) throw nameTaken(change.name);
      throw error;
    }
  }

  /** Revoking twice keeps the first time. */
  async revoke(idOrName: string): Promise<ApiKeyRecord> {
    const current = await this.require(idOrName);
    if (current.revokedAt !== undefined) return current;
    const row = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: toIso(new Date()) })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async findByDigest(digest: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('digest', '=', digest).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  touch(id: string, at: Date): Promise<void> {
    return this.queueTouch(id, at);
  }

  private async require(idOrName: string): Promise<ApiKeyRecord> {
    const record = await this.get(idOrName);
    if (record === undefined) throw new RouteNotFoundError(`No API key has the id or name '${idOrName}'.`);
    return record;
  }
}
