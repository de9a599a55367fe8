// The store contract on PGlite: PostgreSQL's dialect in-process, so it is exercised on every machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreContract } from './store-contract.js';

const root = await mkdtemp(join(tmpdir(), 'studio-pglite-'));
let databases = 0;

describeStoreContract('PGlite', {
  fresh: async () => ({ databaseUrl: `pglite:${join(root, `db-${++databases}`)}`, dataDir: root }),
  sharedByProcesses: false,
  cleanup: () => rm(root, { recursive: true, force: true }),
});
