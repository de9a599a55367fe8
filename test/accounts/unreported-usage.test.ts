// A generation whose engine reported no token counts is recorded as such: zeros in its row are flagged, and usage counts it apart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Usage } from '../../src/core/generation-event.js';
import type { GenerationOutcome, GenerationStart } from '../../src/http/generation.js';
import { ledgerObserver } from '../../src/http/ledger-observer.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openStore } from '../../src/store/open-store.js';
import { readLedger } from '../support/ledger-rows.js';

let dataDir: string;
let store: KyselyStore;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'studio-unreported-'));
  store = await openStore({ dataDir, instance: 'unreported-usage' });
});

afterAll(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const DAY = '2009-09-09';
const start: GenerationStart = { startedAt: new Date(`${DAY}T09:00:00Z`), keyId: 'key_unreported', wire: 'openai', stream: true, n: 1, modelRequested: 'upstream-model' };

async function record(requestId: string, usage: Usage | undefined): Promise<void> {
  const observer = ledgerObserver(store.ledger, pino({ level: 'silent' }));
  observer.onStart?.(requestId, start);
  const outcome: GenerationOutcome = { ...start, status: 'completed', modelServed: 'upstream-model', usage, finishReason: { unified: 'stop', raw: 'stop' }, error: undefined, ttftMs: 5, durationMs: 20 };
  await observer.onEnd(requestId, outcome);
}

describe('usage an engine did not report', () => {
  it('is flagged on the row, counted apart in the day, and known counts are kept', async () => {
    await record('req-reported', { inputTokens: 7, outputTokens: 3 });
    await record('req-none', { inputTokens: undefined, outputTokens: undefined });
    await record('req-output-only', { inputTokens: undefined, outputTokens: 4 });
    // An engine that never ran (a refusal before it) evaluated nothing: its zeros are counts.
    await record('req-refused', undefined);

    const { rows } = readLedger(dataDir);
    expect(['req-reported', 'req-none', 'req-output-only', 'req-refused'].map((id) => [rows.get(id)?.usage_reported, rows.get(id)?.prompt_tokens, rows.get(id)?.completion_tokens])).toEqual([
      [1, 7, 3],
      [0, 0, 0],
      [0, 0, 4],
      [1, 0, 0],
    ]);
    const [day] = await store.usage.usage({ from: DAY, to: DAY, groupBy: 'day', keyId: start.keyId });
    expect(day).toMatchObject({ requests: 4, unreportedRequests: 2, promptTokens: 7, completionTokens: 7 });
  });
});
