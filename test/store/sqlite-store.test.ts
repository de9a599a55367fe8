// The store contract on SQLite, the default: a data folder created on first use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { describeStoreContract } from './store-contract.js';

const run = promisify(execFile);

const root = await mkdtemp(join(tmpdir(), 'studio-sqlite-'));
let databases = 0;

describeStoreContract('SQLite', {
  fresh: async () => ({ dataDir: join(root, `db-${++databases}`, 'not-yet-created') }),
  sharedByProcesses: true,
  cleanup: () => rm(root, { recursive: true, force: true }),
});

describe('SQLite shared by processes', () => {
  it('is migrated once when two processes start on a new data folder at the same moment', async () => {
    const dataDir = join(root, 'two-processes');
    const child = fileURLToPath(new URL('./support/migrate-child.ts', import.meta.url));
    const runs = await Promise.all([0, 1].map(() => run(process.execPath, ['--import', 'tsx', child, dataDir])));
    expect(runs.map(({ stdout }) => JSON.parse(stdout) as string[]).flat()).toEqual(['0001_keys_and_ledger', '0002_usage_reported', '0003_prompt_templates', '0004_files', '0005_batches']);
  });
});

describe('the SQLite data folder', () => {
  it('is created on first start with a WAL-mode studio.db in it', async () => {
    const dataDir = join(root, 'first', 'start');
    const store = await openStore({ dataDir, instance: 'first-start' });
    await store.close();
    const file = new BetterSqlite3(join(dataDir, 'studio.db'), { readonly: true });
    expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
    file.close();
  });

  it('refuses a database URL it cannot open, naming the schemes it takes', async () => {
    await expect(openStore({ databaseUrl: 'mysql://db/studio', dataDir: root, instance: 'x' })).rejects.toThrow(/postgres:\/\/ or postgresql:\/\//);
  });
});
