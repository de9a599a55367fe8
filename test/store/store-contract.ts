// The one contract every store backend passes: keys, the group-committed ledger, usage, prompt templates, files and migrations.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyDigest as digest } from '../../src/core/api-key-digest.js';
import { FileTooLargeError } from '../../src/core/errors.js';
import type { LedgerClose, LedgerOpen } from '../../src/core/store.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { NO_KEY_GROUP } from '../../src/store/usage-reader.js';
import { migrateStore, openStore, type OpenStoreOptions } from '../../src/store/open-store.js';

export type StoreLocation = Omit<OpenStoreOptions, 'instance' | 'onQuery'>;

export interface StoreBackend {
  /** A new, empty database. */
  fresh(): Promise<StoreLocation>;
  /** Whether two processes may open it at once (PGlite is one process's). */
  readonly sharedByProcesses: boolean;
  cleanup(): Promise<void>;
}

const unique = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

function opened(overrides: Partial<LedgerOpen> & { startedAt: Date }): LedgerOpen {
  return { requestId: unique('req'), modelRequested: 'qwen-test', wire: 'openai', stream: false, n: 1, ...overrides };
}

function closed(requestId: string, overrides: Partial<LedgerClose> = {}): LedgerClose {
  return {
    requestId,
    promptTokens: 10,
    cachedTokens: 2,
    completionTokens: 5,
    reasoningTokens: 1,
    usageReported: true,
    cost: 0.000123,
    currency: 'CNY',
    durationMs: 40,
    status: 'completed',
    finishReason: 'stop',
    ...overrides,
  };
}

const MIGRATIONS = ['0001_keys_and_ledger', '0002_usage_reported', '0003_prompt_templates', '0004_files', '0005_batches'];

async function* chunks(...texts: string[]): AsyncGenerator<Uint8Array> {
  for (const text of texts) yield new TextEncoder().encode(text);
}

async function text(content: AsyncIterable<Uint8Array> | undefined): Promise<string | undefined> {
  if (content === undefined) return undefined;
  const parts: Uint8Array[] = [];
  for await (const part of content) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

export function describeStoreContract(name: string, backend: StoreBackend): void {
  describe(`the ${name} store`, () => {
    let location: StoreLocation;
    let store: KyselyStore;
    let queries: string[] = [];
    const instance = unique('instance');

    /** Stops this store as a process would, then starts another on the same database. */
    async function restart(as = instance): Promise<void> {
      await store.close();
      store = await openStore({ ...location, instance: as, onQuery: (sql) => queries.push(sql) });
    }

    beforeAll(async () => {
      location = { ...(await backend.fresh()), filesDir: await mkdtemp(join(tmpdir(), 'studio-files-')) };
      store = await openStore({ ...location, instance, onQuery: (sql) => queries.push(sql) });
    });

    afterAll(async () => {
      await store.close();
      await backend.cleanup();
      if (location.filesDir !== undefined) await rm(location.filesDir, { recursive: true, force: true });
    });

    describe('keys', () => {
      it('creates a key whose secret is shown once and stored only as its digest and prefix', async () => {
        const { record, secret } = await store.keys.create({ name: unique('alice'), limits: { rpm: 20, tpm: 1000, models: ['qwen-test'] } });
        expect(secret).toMatch(/^sk-[0-9A-Za-z]{43,}$/);
        expect(record.id).toMatch(/^key_[0-9A-Za-z]+$/);
        expect(record.prefix).toBe(secret.slice(3, 11));
        expect(record.limits).toEqual({ rpm: 20, tpm: 1000, models: ['qwen-test'] });
        expect(await store.keys.findByDigest(digest(secret))).toEqual(record);
        expect(await store.keys.get(record.id)).toEqual(record);
        expect(await store.keys.get(record.name)).toEqual(record);
        expect((await store.keys.list()).map((key) => key.id)).toContain(record.id);
        expect(await store.keys.findByDigest(digest(`${secret}x`))).toBeUndefined();
        expect(await store.keys.get('key_nope')).toBeUndefined();
      });

      it('keeps names unique among keys not revoked', async () => {
        const name = unique('team');
        const first = await store.keys.create({ name, limits: {} });
        await expect(store.keys.create({ name, limits: {} })).rejects.toMatchObject({ code: 'invalid_request', param: 'name' });
        await store.keys.revoke(name);
        const second = await store.keys.create({ name, limits: {} });
        expect((await store.keys.get(name))?.id).toBe(second.record.id);
        expect((await store.keys.get(first.record.id))?.revokedAt).toBeInstanceOf(Date);
        const third = await store.keys.create({ name: unique('other'), limits: {} });
        await expect(store.keys.update(third.record.id, { name })).rejects.toMatchObject({ code: 'invalid_request', param: 'name' });
      });

      it('updates name, limits and expiry, and clears an expiry with null', async () => {
        const { record } = await store.keys.create({ name: unique('bob'), limits: { rpm: 1 }, expiresAt: new Date('2030-01-01T00:00:00Z') });
        expect(record.expiresAt).toEqual(new Date('2030-01-01T00:00:00Z'));
        const renamed = unique('robert');
        const updated = await store.keys.update(record.id, { name: renamed, limits: { budget: { amount: 1.5, period: 'week' } } });
        expect(updated).toMatchObject({ id: record.id, name: renamed, limits: { budget: { amount: 1.5, period: 'week' } } });
        expect((await store.keys.update(renamed, { expiresAt: null })).expiresAt).toBeUndefined();
        await expect(store.keys.update('key_nope', { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
        await expect(store.keys.revoke('nobody')).rejects.toMatchObject({ code: 'not_found' });
      });

      it('returns revoked and expired keys by digest with the time that ends them, revoking once', async () => {
        const expired = await store.keys.create({ name: unique('old'), limits: {}, expiresAt: new Date(Date.now() - 60_000) });
        expect((await store.keys.findByDigest(digest(expired.secret)))?.expiresAt?.getTime()).toBeLessThan(Date.now());
        const { record, secret } = await store.keys.create({ name: unique('gone'), limits: {} });
        const revoked = await store.keys.revoke(record.id);
        expect(revoked.revokedAt).toBeInstanceOf(Date);
        expect((await store.keys.findByDigest(digest(secret)))?.revokedAt).toEqual(revoked.revokedAt);
        expect((await store.keys.revoke(record.id)).revokedAt).toEqual(revoked.revokedAt);
      });

      it('records when a key was last used, never moving it back', async () => {
        const { record } = await store.keys.create({ name: unique('user'), limits: {} });
        await Promise.all([store.keys.touch(record.id, new Date('2031-05-01T10:00:00Z')), store.keys.touch(record.id, new Date('2031-05-01T09:00:00Z'))]);
        await store.keys.touch(record.id, new Date('2031-04-01T00:00:00Z'));
        expect((await store.keys.get(record.id))?.lastUsedAt).toEqual(new Date('2031-05-01T10:00:00Z'));
      });
    });

    describe('ledger', () => {
      it('closes an opened row with its tokens and adds it to the day once, cost exact', async () => {
        const { record } = await store.keys.create({ name: unique('ledger'), limits: {} });
        const first = opened({ startedAt: new Date('2001-01-01T10:00:00Z'), keyId: record.id, stream: true });
        const second = opened({ startedAt: new Date('2001-01-01T23:59:59Z'), keyId: record.id });
        store.ledger.open(first);
        store.ledger.open(second);
        await store.ledger.flush();
        await store.ledger.close(closed(first.requestId, { cost: 0.1, modelServed: 'qwen-served' }));
        await store.ledger.close(closed(second.requestId, { cost: 0.2, modelServed: 'qwen-served' }));
        const [row] = await store.usage.usage({ from: '2001-01-01', to: '2001-01-01', groupBy: 'day', keyId: record.id });
        expect(row).toEqual({ group: '2001-01-01', requests: 2, promptTokens: 20, cachedTokens: 4, completionTokens: 10, reasoningTokens: 2, unreportedRequests: 0, cost: 0.3, currency: 'CNY' });
      });

      it('writes a close whose open never came, and one whose open is in the same flush, each once', async () => {
        const keyId = unique('key');
        const sameFlush = opened({ startedAt: new Date(), keyId });
        store.ledger.open(sameFlush);
        await Promise.all([store.ledger.close(closed(sameFlush.requestId, { modelServed: 'same-flush' })), store.ledger.close(closed(unique('orphan'), { modelServed: 'orphan-model' }))]);
        const today = new Date().toISOString().slice(0, 10);
        expect(await store.usage.usage({ from: today, to: today, groupBy: 'model', keyId })).toEqual([
          expect.objectContaining({ group: 'same-flush', requests: 1, promptTokens: 10 }),
        ]);
        const models = (await store.usage.usage({ from: today, to: today, groupBy: 'model' })).map((row) => row.group);
        expect(models).toContain('orphan-model');
      });

      it('counts a close that is repeated, at once or later, only once', async () => {
        const keyId = unique('key');
        const row = opened({ startedAt: new Date('2002-02-02T12:00:00Z'), keyId });
        store.ledger.open(row);
        await store.ledger.flush();
        await Promise.all([store.ledger.close(closed(row.requestId)), store.ledger.close(closed(row.requestId))]);
        await store.ledger.close(closed(row.requestId, { promptTokens: 999 }));
        const [day] = await store.usage.usage({ from: '2002-02-02', to: '2002-02-02', groupBy: 'day', keyId });
        expect(day).toMatchObject({ requests: 1, promptTokens: 10 });
      });

      it('keeps a close whose engine reported no usage apart: its counts are 0 and its day counts it as without usage', async () => {
        const keyId = unique('key');
        const reported = opened({ startedAt: new Date('2008-08-08T08:00:00Z'), keyId });
        const unreported = opened({ startedAt: new Date('2008-08-08T09:00:00Z'), keyId });
        store.ledger.open(reported);
        store.ledger.open(unreported);
        await Promise.all([
          store.ledger.close(closed(reported.requestId)),
          store.ledger.close(closed(unreported.requestId, { promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0, usageReported: false, cost: undefined })),
        ]);
        const [day] = await store.usage.usage({ from: '2008-08-08', to: '2008-08-08', groupBy: 'day', keyId });
        expect(day).toMatchObject({ requests: 2, unreportedRequests: 1, promptTokens: 10, completionTokens: 5 });
      });

      it('commits many concurrent closes together: one transaction, or on PostgreSQL one statement', async () => {
        const keyId = unique('key');
        const rows = Array.from({ length: 50 }, () => opened({ startedAt: new Date('2003-03-03T03:00:00Z'), keyId }));
        for (const row of rows) store.ledger.open(row);
        await store.ledger.flush();
        queries = [];
        await Promise.all(rows.map((row) => store.ledger.close(closed(row.requestId, { cost: 0.01 }))));
        const begins = queries.filter((sql) => /^begin/i.test(sql)).length;
        expect(queries.filter((sql) => /^commit/i.test(sql))).toHaveLength(begins);
        expect(begins + queries.filter((sql) => /^with /i.test(sql)).length).toBe(1);
        expect(queries.filter((sql) => /insert into "requests"/i.test(sql))).toHaveLength(1);
        const [day] = await store.usage.usage({ from: '2003-03-03', to: '2003-03-03', groupBy: 'day', keyId });
        expect(day).toMatchObject({ requests: 50, promptTokens: 500, cost: 0.5 });
      });

      it("closes as interrupted, after a restart, the rows its own instance left open, and only those", async () => {
        const crashed = unique('crashed');
        const other = unique('other');
        const keyId = unique('key');
        await restart(crashed);
        const left = [opened({ startedAt: new Date('2004-04-04T04:00:00Z'), keyId }), opened({ startedAt: new Date('2004-04-04T05:00:00Z'), keyId })];
        for (const row of left) store.ledger.open(row);
        await restart(other);
        const othersRow = opened({ startedAt: new Date('2004-04-04T06:00:00Z'), keyId });
        store.ledger.open(othersRow);
        await restart(crashed);
        expect(await store.ledger.closeInterrupted()).toBe(2);
        expect(await store.ledger.closeInterrupted()).toBe(0);
        const [day] = await store.usage.usage({ from: '2004-04-04', to: '2004-04-04', groupBy: 'day', keyId });
        expect(day).toMatchObject({ requests: 2, promptTokens: 0, unreportedRequests: 2 });
        // A late close of an interrupted row changes nothing.
        await store.ledger.close(closed(left[0]!.requestId));
        expect((await store.usage.usage({ from: '2004-04-04', to: '2004-04-04', groupBy: 'day', keyId }))[0]).toMatchObject({ requests: 2 });
      });

      it('commits what is queued when the store closes', async () => {
        const keyId = unique('key');
        const row = opened({ startedAt: new Date('2005-05-05T05:00:00Z'), keyId });
        store.ledger.open(row);
        const closing = store.ledger.close(closed(row.requestId));
        await restart();
        await closing;
        expect(await store.usage.usage({ from: '2005-05-05', to: '2005-05-05', groupBy: 'day', keyId })).toHaveLength(1);
      });
    });

    describe('usage', () => {
      it('groups the daily totals by day, model and key, days inclusive, with totals per currency', async () => {
        const alice = (await store.keys.create({ name: unique('alice'), limits: {} })).record;
        const bob = (await store.keys.create({ name: unique('bob'), limits: {} })).record;
        const rows: [Date, string | undefined, string][] = [
          [new Date('2006-06-01T00:00:00Z'), alice.id, 'model-a'],
          [new Date('2006-06-01T12:00:00Z'), bob.id, 'model-b'],
          [new Date('2006-06-02T23:59:59Z'), alice.id, 'model-b'],
          [new Date('2006-06-03T00:00:00Z'), undefined, 'model-a'],
          [new Date('2006-06-04T00:00:00Z'), alice.id, 'model-a'],
        ];
        await Promise.all(
          rows.map(([startedAt, keyId, model]) => {
            const row = opened({ startedAt, keyId, modelRequested: model });
            store.ledger.open(row);
            return store.ledger.close(closed(row.requestId, { cost: 0.25 }));
          }),
        );
        const range = { from: '2006-06-01', to: '2006-06-03' };
        expect((await store.usage.usage({ ...range, groupBy: 'day' })).map((row) => [row.group, row.requests])).toEqual([
          ['2006-06-01', 2],
          ['2006-06-02', 1],
          ['2006-06-03', 1],
        ]);
        expect((await store.usage.usage({ ...range, groupBy: 'model' })).map((row) => [row.group, row.requests, row.cost])).toEqual([
          ['model-a', 2, 0.5],
          ['model-b', 2, 0.5],
        ]);
        const byKey = await store.usage.usage({ ...range, groupBy: 'key' });
        expect(byKey.map((row) => [row.group, row.requests]).sort()).toEqual([[NO_KEY_GROUP, 1], [alice.name, 2], [bob.name, 1]].sort());
        expect(await store.usage.usage({ ...range, groupBy: 'day', keyId: bob.id })).toEqual([
          { group: '2006-06-01', requests: 1, promptTokens: 10, cachedTokens: 2, completionTokens: 5, reasoningTokens: 1, unreportedRequests: 0, cost: 0.25, currency: 'CNY' },
        ]);
      });

      it("sums a key's spend from the day a moment falls in", async () => {
        const keyId = unique('key');
        const costs: [string, number][] = [
          ['2007-07-01T10:00:00Z', 0.000001],
          ['2007-07-02T10:00:00Z', 1.1],
          ['2007-07-03T10:00:00Z', 2.2],
        ];
        await Promise.all(
          costs.map(([at, cost]) => {
            const row = opened({ startedAt: new Date(at), keyId });
            store.ledger.open(row);
            return store.ledger.close(closed(row.requestId, { cost }));
          }),
        );
        expect(await store.usage.spend(keyId, new Date('2007-07-02T15:00:00Z'))).toBe(3.3);
        expect(await store.usage.spend(keyId, new Date('2007-06-01T00:00:00Z'))).toBe(3.300001);
        expect(await store.usage.spend(keyId, new Date('2007-07-04T00:00:00Z'))).toBe(0);
      });
    });

    describe('templates', () => {
      it('saves over a template of the same name, keeping its id, and lists an owner\'s by name', async () => {
        const owner = unique('key');
        const first = await store.templates.save(owner, { name: 'summary', system: 'Be brief.', user: 'Summarize {{text}}' });
        expect(first).toMatchObject({ id: expect.stringMatching(/^tpl_/) as unknown, name: 'summary', system: 'Be brief.', user: 'Summarize {{text}}' });
        expect(first.createdAt).toEqual(first.updatedAt);
        const other = await store.templates.save(owner, { name: 'another', user: 'Hello' });
        expect(other.system).toBeUndefined();
        const again = await store.templates.save(owner, { name: 'summary', user: 'Shorten {{text}}' });
        expect(again).toMatchObject({ id: first.id, createdAt: first.createdAt, user: 'Shorten {{text}}' });
        expect(again.system).toBeUndefined();
        expect(again.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
        expect(await store.templates.list(owner)).toEqual([other, again]);
      });

      it('keeps each owner\'s templates apart, the no-key owner \'\' included', async () => {
        const [alice, bob] = [unique('alice'), unique('bob')];
        const alices = await store.templates.save(alice, { name: 'mine', user: 'A' });
        const bobs = await store.templates.save(bob, { name: 'mine', user: 'B' });
        const shared = await store.templates.save('', { name: unique('shared'), user: 'S' });
        expect(bobs.id).not.toBe(alices.id);
        expect(await store.templates.list(alice)).toEqual([alices]);
        expect(await store.templates.list('')).toContainEqual(shared);
        expect(await store.templates.delete(bob, alices.id)).toBe(false);
        expect(await store.templates.list(alice)).toEqual([alices]);
        expect(await store.templates.delete(alice, alices.id)).toBe(true);
        expect(await store.templates.delete(alice, alices.id)).toBe(false);
        expect(await store.templates.list(alice)).toEqual([]);
        expect(await store.templates.list(bob)).toEqual([bobs]);
      });
    });

    describe('files', () => {
      it('streams a file to disk, then gives back its record and its bytes to its owner alone', async () => {
        const owner = unique('key');
        const record = await store.files.create({ owner, filename: 'in.jsonl', purpose: 'batch', content: chunks('{"a":1}\n', '{"b":2}\n') });
        expect(record).toMatchObject({ owner, filename: 'in.jsonl', purpose: 'batch', bytes: 16 });
        expect(record.id).toMatch(/^file-[0-9A-Za-z]+$/);
        expect(await store.files.get(owner, record.id)).toEqual(record);
        expect(await text(await store.files.read(owner, record.id))).toBe('{"a":1}\n{"b":2}\n');
        expect(await store.files.get('', record.id)).toBeUndefined();
        expect(await store.files.read('', record.id)).toBeUndefined();
        expect(await store.files.delete('', record.id)).toBe(false);
        expect(await store.files.delete(owner, record.id)).toBe(true);
        expect(await store.files.get(owner, record.id)).toBeUndefined();
        expect(await store.files.delete(owner, record.id)).toBe(false);
        expect(await readdir(location.filesDir!)).not.toContain(record.id);
      });

      it("lists an owner's files newest first, by purpose, a page after a given id", async () => {
        const owner = unique('key');
        const made = [];
        for (const purpose of ['batch', 'batch_output', 'batch'] as const) made.push(await store.files.create({ owner, filename: `${purpose}.jsonl`, purpose, content: chunks('x') }));
        const ids = (files: { id: string }[]) => files.map(({ id }) => id);
        const newestFirst = [...made].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : 1));
        expect(ids(await store.files.list(owner, { limit: 10 }))).toEqual(ids(newestFirst));
        expect(ids(await store.files.list(owner, { limit: 1, after: newestFirst[0]!.id }))).toEqual([newestFirst[1]!.id]);
        expect(ids(await store.files.list(owner, { limit: 10, after: newestFirst[2]!.id }))).toEqual([]);
        expect(ids(await store.files.list(owner, { purpose: 'batch_output', limit: 10 }))).toEqual([made[1]!.id]);
        expect(await store.files.list(unique('key'), { limit: 10 })).toEqual([]);
      });

      it('refuses content past the limit, or content that fails, keeping nothing', async () => {
        const owner = unique('key');
        const before = await readdir(location.filesDir!);
        await expect(store.files.create({ owner, filename: 'big.jsonl', purpose: 'batch', content: chunks('12345', '67890'), maxBytes: 9 })).rejects.toBeInstanceOf(FileTooLargeError);
        async function* failing(): AsyncGenerator<Uint8Array> {
          yield new TextEncoder().encode('partial');
          throw new Error('the client went away');
        }
        await expect(store.files.create({ owner, filename: 'cut.jsonl', purpose: 'batch', content: failing() })).rejects.toThrow('the client went away');
        expect(await store.files.list(owner, { limit: 10 })).toEqual([]);
        expect(await readdir(location.filesDir!)).toEqual(before);
        const exact = await store.files.create({ owner, filename: 'exact.jsonl', purpose: 'batch', content: chunks('12345', '6789'), maxBytes: 9 });
        expect(exact.bytes).toBe(9);
      });
    });

    describe('batches', () => {
      const newBatch = (owner: string) => ({ owner, endpoint: '/v1/chat/completions', inputFileId: 'file-in', completionWindow: '24h', model: 'm', expiresAt: new Date(Date.now() + 86_400_000) });
      const lines = ['a', 'b', 'c'].map((customId) => ({ customId, body: `{"id":"${customId}"}` }));

      it('keeps each line pending until its result is stored, once, with its count, across a restart', async () => {
        const owner = unique('key');
        const batch = await store.batches.create({ ...newBatch(owner), metadata: { job: 'x' } }, lines);
        expect(batch).toMatchObject({ owner, status: 'in_progress', metadata: { job: 'x' }, errors: [], counts: { total: 3, completed: 0, failed: 0 } });
        expect(batch.id).toMatch(/^batch_/);
        expect(await store.batches.pendingLines(batch.id, { limit: 2 })).toEqual([
          { index: 0, customId: 'a', body: '{"id":"a"}' },
          { index: 1, customId: 'b', body: '{"id":"b"}' },
        ]);
        expect(await store.batches.finishLine(batch.id, { index: 1, succeeded: true, line: 'out-b' })).toBe(true);
        expect(await store.batches.finishLine(batch.id, { index: 1, succeeded: false, line: 'again' })).toBe(false);
        expect(await store.batches.finishLine(batch.id, { index: 2, succeeded: false, line: 'err-c' })).toBe(true);
        await restart();
        expect((await store.batches.pendingLines(batch.id, { limit: 10 })).map(({ index }) => index)).toEqual([0]);
        expect(await store.batches.results(batch.id, { limit: 10 })).toEqual([
          { index: 1, succeeded: true, line: 'out-b' },
          { index: 2, succeeded: false, line: 'err-c' },
        ]);
        expect((await store.batches.get(owner, batch.id))?.counts).toEqual({ total: 3, completed: 1, failed: 1 });
        expect((await store.batches.unfinished()).map(({ id }) => id)).toContain(batch.id);
      });

      it('moves a batch through cancelling and finalizing to its end, for its owner alone', async () => {
        const owner = unique('key');
        const batch = await store.batches.create(newBatch(owner), lines);
        expect(await store.batches.requestCancel('', batch.id, new Date())).toBeUndefined();
        expect(await store.batches.requestCancel(owner, batch.id, new Date())).toMatchObject({ status: 'cancelling', cancellingAt: expect.any(Date) });
        expect(await store.batches.startFinalizing(batch.id, new Date())).toBe(true);
        expect(await store.batches.startFinalizing(batch.id, new Date())).toBe(false);
        await store.batches.end(batch.id, 'cancelled', new Date(), { outputFileId: 'file-out' });
        expect(await store.batches.get(owner, batch.id)).toMatchObject({ status: 'cancelled', outputFileId: 'file-out', cancelledAt: expect.any(Date), finalizingAt: expect.any(Date) });
        expect((await store.batches.unfinished()).map(({ id }) => id)).not.toContain(batch.id);
        expect(await store.batches.get('', batch.id)).toBeUndefined();
      });

      it("records a refused input as failed with its errors, and lists an owner's batches newest first", async () => {
        const owner = unique('key');
        const failed = await store.batches.createFailed(newBatch(owner), [{ code: 'empty_file', message: 'empty' }]);
        expect(failed).toMatchObject({ status: 'failed', failedAt: expect.any(Date), errors: [{ code: 'empty_file', message: 'empty' }], counts: { total: 0, completed: 0, failed: 0 } });
        const later = await store.batches.create(newBatch(owner), lines);
        const ids = (await store.batches.list(owner, { limit: 10 })).map(({ id }) => id);
        expect(new Set(ids)).toEqual(new Set([failed.id, later.id]));
        expect((await store.batches.list(owner, { limit: 1, after: ids[0] })).map(({ id }) => id)).toEqual([ids[1]]);
        expect(await store.batches.list(unique('key'), { limit: 10 })).toEqual([]);
      });
    });

    describe('migrations', () => {
      it('apply once and then find nothing to do', async () => {
        const fresh = await backend.fresh();
        expect(await migrateStore(fresh)).toEqual(MIGRATIONS);
        expect(await migrateStore(fresh)).toEqual([]);
      });

      it.runIf(backend.sharedByProcesses)('run once when two start at the same moment', async () => {
        const fresh = await backend.fresh();
        const applied = await Promise.all([migrateStore(fresh), migrateStore(fresh), migrateStore(fresh)]);
        expect(applied.flat()).toEqual(MIGRATIONS);
        const both = await Promise.all([openStore({ ...fresh, instance: 'a' }), openStore({ ...fresh, instance: 'b' })]);
        const { record } = await both[0].keys.create({ name: 'shared', limits: {} });
        expect((await both[1].keys.get('shared'))?.id).toBe(record.id);
        await Promise.all(both.map((opened) => opened.close()));
      });
    });
  });
}
