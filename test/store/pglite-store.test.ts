// The store contract on PGlite: PostgreSQL's dialect in-process, so it is exercised on every machine.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describeStoreContract } from './store-contract.js';

const root = await mkdtemp(join(tmpdir(), 'studio-pglite-'));
const template = join(root, 'template');
let templateMade: Promise<void> | undefined;
let databases = 0;

/** A new cluster takes seconds to initialise: each fresh database is a copy of one made once. */
async function makeTemplate(): Promise<void> {
  const pglite = new PGlite(template);
  await pglite.waitReady;
  await pglite.close();
}

describeStoreContract('PGlite', {
  fresh: async () => {
    await (templateMade ??= makeTemplate());
    const folder = join(root, `db-${++databases}`);
    await cp(template, folder, { recursive: true });
    return { databaseUrl: `pglite:${folder}`, dataDir: root };
  },
  sharedByProcesses: false,
  cleanup: () => rm(root, { recursive: true, force: true }),
});
