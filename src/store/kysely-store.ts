// The store over one Kysely database: keys, the group-committed ledger, usage, prompt templates, files and batches, closed in that order.
import type { Kysely } from 'kysely';
import type { Store } from '../core/store.js';
import { KyselyBatchStore } from './batch-store.js';
import { KyselyFileStore } from './file-store.js';
import { KyselyKeyStore } from './key-store.js';
import { KyselyLedger } from './ledger.js';
import type { Database, Flavour } from './schema.js';
import { KyselyTemplateStore } from './template-store.js';
import { KyselyUsageReader } from './usage-reader.js';

export class KyselyStore implements Store {
  readonly keys: KyselyKeyStore;
  readonly ledger: KyselyLedger;
  readonly usage: KyselyUsageReader;
  readonly templates: KyselyTemplateStore;
  readonly files: KyselyFileStore;
  readonly batches: KyselyBatchStore;

  constructor(
    private readonly db: Kysely<Database>,
    instance: string,
    flavour: Flavour,
    /** Where the files' bytes are kept. */
    filesDir: string,
  ) {
    this.ledger = new KyselyLedger(db, instance, flavour);
    this.keys = new KyselyKeyStore(db, (id, at) => this.ledger.touch(id, at));
    this.usage = new KyselyUsageReader(db);
    this.templates = new KyselyTemplateStore(db);
    this.files = new KyselyFileStore(db, filesDir);
    this.batches = new KyselyBatchStore(db);
  }

  /** Commits what the ledger still holds, then lets the database go. */
  async close(): Promise<void> {
    await this.ledger.shutdown();
    await this.db.destroy();
  }
}
