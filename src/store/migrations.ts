// The schema's versions as code, so a build needs no files beside it; the same steps on SQLite and PostgreSQL.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Flavour } from './schema.js';

function initialSchema(flavour: Flavour): Migration {
  const time = flavour === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('prefix', 'text', (column) => column.notNull())
        .addColumn('digest', 'text', (column) => column.notNull().unique())
        .addColumn('limits', 'text', (column) => column.notNull())
        .addColumn('expires_at', time)
        .addColumn('revoked_at', time)
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('last_used_at', time)
        .execute();
      await db.schema.createIndex('api_keys_active_name').on('api_keys').column('name').unique().where(sql.ref('revoked_at'), 'is', null).execute();

      await db.schema
        .createTable('requests')
        .addColumn('request_id', 'text', (column) => column.primaryKey())
        .addColumn('instance', 'text', (column) => column.notNull())
        .addColumn('started_at', time, (column) => column.notNull())
        .addColumn('key_id', 'text')
        .addColumn('model_requested', 'text', (column) => column.notNull())
        .addColumn('model_served', 'text')
        .addColumn('wire', 'text', (column) => column.notNull())
        .addColumn('stream', 'integer', (column) => column.notNull())
        .addColumn('n', 'integer', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('prompt_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
        .addColumn('cached_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
        .addColumn('completion_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
        .addColumn('reasoning_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
        .addColumn('cost_micros', 'bigint')
        .addColumn('currency', 'text')
        .addColumn('ttft_ms', 'integer')
        .addColumn('duration_ms', 'integer')
        .addColumn('finish_reason', 'text')
        .addColumn('error_code', 'text')
        .addColumn('closed_at', time)
        .execute();
      await db.schema.createIndex('requests_open_by_instance').on('requests').column('instance').where(sql.ref('status'), '=', 'open').execute();
      await db.schema.createIndex('requests_key_started').on('requests').columns(['key_id', 'started_at']).execute();
      await db.schema.createIndex('requests_started').on('requests').column('started_at').execute();

      await db.schema
        .createTable('daily_usage')
        .addColumn('day', 'text', (column) => column.notNull())
        .addColumn('key_id', 'text', (column) => column.notNull())
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('currency', 'text', (column) => column.notNull())
        .addColumn('requests', 'bigint', (column) => column.notNull())
        .addColumn('prompt_tokens', 'bigint', (column) => column.notNull())
        .addColumn('cached_tokens', 'bigint', (column) => column.notNull())
        .addColumn('completion_tokens', 'bigint', (column) => column.notNull())
        .addColumn('reasoning_tokens', 'bigint', (column) => column.notNull())
        .addColumn('cost_micros', 'bigint', (column) => column.notNull())
        .addPrimaryKeyConstraint('daily_usage_pk', ['day', 'key_id', 'model', 'currency'])
        .execute();
      await db.schema.createIndex('daily_usage_key_day').on('daily_usage').columns(['key_id', 'day']).execute();
    },
  };
}

/**
 * A request whose engine did not report its token counts (an upstream that sent no usage) keeps 0 in
 * them and says so, and each day counts such requests, so usage never passes zeros off as counts.
 * Existing rows had their usage reported: the defaults say so.
 */
const usageReported: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('requests').addColumn('usage_reported', 'integer', (column) => column.notNull().defaultTo(1)).execute();
    await db.schema.alterTable('daily_usage').addColumn('unreported_requests', 'bigint', (column) => column.notNull().defaultTo(0)).execute();
  },
};

/** Prompt templates the Playground saves, per owning key ('' for static keys and no auth), one per name. */
function promptTemplates(flavour: Flavour): Migration {
  const time = flavour === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('prompt_templates')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('owner', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('system', 'text')
        .addColumn('user_text', 'text', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .addUniqueConstraint('prompt_templates_owner_name', ['owner', 'name'])
        .execute();
    },
  };
}

/** Batch API files: metadata here, bytes in the files folder under the id; each owner's listed newest first. */
function files(flavour: Flavour): Migration {
  const time = flavour === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('owner', 'text', (column) => column.notNull())
        .addColumn('filename', 'text', (column) => column.notNull())
        .addColumn('purpose', 'text', (column) => column.notNull())
        .addColumn('bytes', 'bigint', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('files_owner_created').on('files').columns(['owner', 'created_at']).execute();
    },
  };
}

/** Batches of the Batch API and each line's state; a line's result is stored with the change that marks it done. */
function batches(flavour: Flavour): Migration {
  const time = flavour === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('batches')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('owner', 'text', (column) => column.notNull())
        .addColumn('endpoint', 'text', (column) => column.notNull())
        .addColumn('input_file_id', 'text', (column) => column.notNull())
        .addColumn('completion_window', 'text', (column) => column.notNull())
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('metadata', 'text')
        .addColumn('errors', 'text')
        .addColumn('output_file_id', 'text')
        .addColumn('error_file_id', 'text')
        .addColumn('total', 'integer', (column) => column.notNull())
        .addColumn('completed', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('failed', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('expires_at', time, (column) => column.notNull())
        .addColumn('in_progress_at', time)
        .addColumn('finalizing_at', time)
        .addColumn('completed_at', time)
        .addColumn('failed_at', time)
        .addColumn('expired_at', time)
        .addColumn('cancelling_at', time)
        .addColumn('cancelled_at', time)
        .execute();
      await db.schema.createIndex('batches_owner_created').on('batches').columns(['owner', 'created_at']).execute();
      await db.schema.createIndex('batches_status').on('batches').column('status').execute();

      await db.schema
        .createTable('batch_lines')
        .addColumn('batch_id', 'text', (column) => column.notNull())
        .addColumn('line_index', 'integer', (column) => column.notNull())
        .addColumn('custom_id', 'text', (column) => column.notNull())
        .addColumn('body', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('result', 'text')
        .addPrimaryKeyConstraint('batch_lines_pk', ['batch_id', 'line_index'])
        .execute();
    },
  };
}

/** Every version in order; a new one is appended, never edited. */
export function migrations(flavour: Flavour): Record<string, Migration> {
  return {
    '0001_keys_and_ledger': initialSchema(flavour),
    '0002_usage_reported': usageReported,
    '0003_prompt_templates': promptTemplates(flavour),
    '0004_files': files(flavour),
    '0005_batches': batches(flavour),
  };
}
