// Prompt templates in the store: one per owner and name, saved over by name, listed and deleted only by their owner.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { PromptTemplateRecord, TemplateStore } from '../core/store.js';
import { fromTimestamp, toIso } from './column-values.js';
import type { Database, PromptTemplatesTable } from './schema.js';

function toRecord(row: Selectable<PromptTemplatesTable>): PromptTemplateRecord {
  return {
    id: row.id,
    name: row.name,
    ...(row.system === null ? {} : { system: row.system }),
    user: row.user_text,
    createdAt: fromTimestamp(row.created_at),
    updatedAt: fromTimestamp(row.updated_at),
  };
}

export class KyselyTemplateStore implements TemplateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(owner: string): Promise<PromptTemplateRecord[]> {
    const rows = await this.db.selectFrom('prompt_templates').selectAll().where('owner', '=', owner).orderBy('name').orderBy('id').execute();
    return rows.map(toRecord);
  }

  /** One statement, so two saves of one name at once leave one row. */
  async save(owner: string, template: { name: string; system?: string; user: string }): Promise<PromptTemplateRecord> {
    const now = toIso(new Date());
    const text = { system: template.system ?? null, user_text: template.user, updated_at: now };
    const row = await this.db
      .insertInto('prompt_templates')
      .values({ id: `tpl_${randomUUID().replaceAll('-', '')}`, owner, name: template.name, created_at: now, ...text })
      .onConflict((conflict) => conflict.columns(['owner', 'name']).doUpdateSet(text))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('prompt_templates').where('owner', '=', owner).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
