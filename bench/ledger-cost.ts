// Measures what the ledger and a key's limits cost a request: throughput and p50/p99 latency with them on and off, on SQLite and PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Engine, ModelInfo } from '../src/core/engine.js';
import type { Usage } from '../src/core/generation-event.js';
import { startServer } from '../src/cli/serve.js';
import { loadServerConfig } from '../src/config/server-config.js';
import { createApp, type StudioApp } from '../src/http/app.js';
import { generationLog } from '../src/http/generation-log.js';
import { ledgerObserver } from '../src/http/ledger-observer.js';
import { MemoryRateLimiter } from '../src/store/memory-rate-limiter.js';
import { openStore } from '../src/store/open-store.js';
import { createPostgresSchema } from '../test/support/postgres-schema.js';
import { tinyModelPath } from '../test/test-model.js';
import { positiveInteger } from './positive-integer.js';
import { median, percentile } from './stats.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    engine: { type: 'string', default: 'instant' },
    'max-tokens': { type: 'string', default: '1' },
    // PostgreSQL runs where a URL is given, in a schema of its own that is dropped afterwards.
    'database-url': { type: 'string', default: process.env.DATABASE_URL },
  },
});
const requests = positiveInteger('requests', values.requests);
const concurrency = positiveInteger('concurrency', values.concurrency);
const rounds = positiveInteger('rounds', values.rounds);
const maxTokens = positiveInteger('max-tokens', values['max-tokens']);
if (values.engine !== 'instant' && values.engine !== 'tiny') throw new Error('--engine is instant or tiny');

const MODEL: ModelInfo = { id: 'instant', contextSize: 4096, ownedBy: 'bench', created: 0 };
const PROMPT_TOKENS = 12;

/**
 * An engine that answers at once: `max_tokens` tokens, its finish and its usage. It leaves nothing to measure
 * but the HTTP layer and what hangs off it, so the ledger's and the limits' share is as large as it
 * can be; behind a real model it is a smaller part of a longer request.
 */
const instantEngine: Engine = {
  specificationVersion: 'v1',
  listModels: () => [MODEL],
  dispose: async () => {},
  async *generate(request, { onUsage, admit }) {
    const tokens = request.maxTokens ?? 1;
    const usage: Usage = { inputTokens: PROMPT_TOKENS, outputTokens: tokens };
    try {
      await admit?.({ inputTokens: PROMPT_TOKENS, maxTokens: tokens });
      yield { type: 'start', model: MODEL.id, inputTokens: PROMPT_TOKENS };
      for (let token = 1; token <= tokens; token++) yield { type: 'text-delta', choice: 0, delta: 'ok', outputTokens: token };
      yield { type: 'finish', choice: 0, finishReason: { unified: 'length', raw: 'max-tokens' } };
      yield { type: 'usage', usage };
    } finally {
      onUsage?.(usage);
    }
  },
};

const logger = pino({ level: 'silent' });

/** The tiny test model's engine, from a server started for it (its own HTTP side goes unused). */
async function tinyEngine(): Promise<{ engine: Engine; model: string; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'studio-ledger-bench-model-'));
  const config = loadServerConfig({ model: await tinyModelPath(), port: '0', threads: '1', 'data-dir': dataDir }, {});
  const running = await startServer(config, { logger, print: () => {} });
  return {
    engine: running.pool,
    model: running.catalog[0]!.name,
    close: async () => {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const target = values.engine === 'tiny' ? await tinyEngine() : { engine: instantEngine, model: MODEL.id, close: async () => {} };
const appDefaults = { engine: target.engine, maxBodyBytes: 1 << 20, requestTimeoutMs: 30_000, writeTimeoutMs: 30_000, logger } as const;

interface Setup {
  readonly app: StudioApp;
  /** The bearer key requests carry, if any. */
  readonly key?: string;
  close(): Promise<void>;
}

/** Today's server without a store: no auth, no limits, the request log only. */
function offSetup(): Setup {
  return { app: createApp({ ...appDefaults, apiKeys: [], observers: [generationLog(logger)] }), close: async () => {} };
}

type Part = 'ledger' | 'limits';

/**
 * Requests carry a stored key; with `limits` it has every limit set (none ever reached: the work of
 * checking them is what is measured); with `ledger`, each request has its ledger row.
 */
async function storeSetup(store: { databaseUrl?: string; dataDir: string }, parts: readonly Part[]): Promise<Setup> {
  const opened = await openStore({ ...store, instance: `bench-${process.pid}` });
  const limiter = new MemoryRateLimiter();
  // Every store setup has a stored key (auth is on once one exists); only `limits` gives it limits.
  const created = await opened.keys.create({
    name: `bench-${process.pid}-${parts.join('-')}`,
    limits: parts.includes('limits') ? { rpm: 1e9, tpm: 1e12, concurrency: 1e6, budget: { amount: 1e9, period: 'month' } } : {},
  });
  const observers = [generationLog(logger), ...(parts.includes('ledger') ? [ledgerObserver(opened.ledger, logger)] : [])];
  const app = createApp({ ...appDefaults, apiKeys: [], store: opened, limiter, observers });
  return {
    app,
    key: created.secret,
    close: async () => {
      await opened.keys.revoke(created.record.id);
      await limiter.close();
      await opened.close();
    },
  };
}

/** Streamed and blocking requests in turn, `concurrency` at a time, each timed to the last byte of its body. */
async function drive(setup: Setup): Promise<{ rps: number; latencies: number[] }> {
  const headers = { 'Content-Type': 'application/json', ...(setup.key === undefined ? {} : { Authorization: `Bearer ${setup.key}` }) };
  const latencies: number[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < requests) {
      const stream = next++ % 2 === 0;
      // One seed for all: every request draws the same tokens, so the variants differ only in what they run around them.
      const body = JSON.stringify({ model: target.model, messages: [{ role: 'user', content: 'hi' }], max_tokens: maxTokens, seed: 7, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
      const began = performance.now();
      const response = await setup.app.fetch(new Request('http://bench/v1/chat/completions', { method: 'POST', headers, body }));
      await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      latencies.push(performance.now() - began);
    }
  }
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: requests / ((performance.now() - began) / 1000), latencies };
}

interface Measured {
  readonly rps: number[];
  readonly latencies: number[];
  /** Each round's p50, beside `rps`, for the ratio to the off run of the same round. */
  readonly p50s: number[];
}

const variants: Readonly<Record<string, readonly Part[]>> = { 'ledger + limits': ['ledger', 'limits'], 'ledger only': ['ledger'], 'limits only': ['limits'] };

/** The setups take turns, in an order that turns each round, so a machine that drifts moves them all alike. */
async function compare(name: string, store: { databaseUrl?: string; dataDir: string }): Promise<string[]> {
  const setups: Record<string, Setup> = { off: offSetup() };
  const results: Record<string, Measured> = { off: { rps: [], latencies: [], p50s: [] } };
  try {
    for (const [variant, parts] of Object.entries(variants)) {
      setups[variant] = await storeSetup(store, parts);
      results[variant] = { rps: [], latencies: [], p50s: [] };
    }
    const names = Object.keys(setups);
    // Warm-up: JIT, the store's first statements and the key's look-up.
    for (const variant of names) await drive(setups[variant]!);
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < names.length; turn++) {
        const variant = names[(round + turn) % names.length]!;
        const run = await drive(setups[variant]!);
        results[variant]!.rps.push(run.rps);
        results[variant]!.latencies.push(...run.latencies);
        results[variant]!.p50s.push(percentile(run.latencies, 50));
      }
    }
  } finally {
    for (const setup of Object.values(setups)) await setup.close();
  }
  const summary = (measured: Measured) => ({
    rps: measured.rps.reduce((sum, value) => sum + value, 0) / measured.rps.length,
    p50: percentile(measured.latencies, 50),
    p99: percentile(measured.latencies, 99),
  });
  const off = results.off!;
  const pct = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
  // Each round's run is set against the off run of the same round, and the median of those ratios is shown:
  // a round the machine slowed moves both sides of its ratio, where pooled samples would carry it into one.
  const pairedRatio = (values: readonly number[], offValues: readonly number[]): number => median(values.map((value, round) => value / offValues[round]!));
  return Object.entries(results).map(([variant, measured]) => {
    const { rps, p50, p99 } = summary(measured);
    const ratios = variant === 'off' ? '| | |' : `| ${pct(pairedRatio(measured.rps, off.rps))} | ${pct(pairedRatio(measured.p50s, off.p50s))} |`;
    return `| ${name} | ${variant} | ${rps.toFixed(0)} | ${p50.toFixed(2)} | ${p99.toFixed(2)} ${ratios}`;
  });
}

const dataDir = await mkdtemp(join(tmpdir(), 'studio-ledger-bench-'));
try {
  // Each store's rows are printed as soon as they are measured, so a run cut short still shows what it got.
  const print = (lines: readonly string[]) => process.stdout.write(`${lines.join('\n')}\n`);
  print([
    `${requests} requests × ${rounds} rounds, ${concurrency} at a time, half streamed (include_usage), half blocking, max_tokens ${maxTokens}, through Studio's app in process on ${values.engine === 'tiny' ? 'the tiny test model' : 'an instant engine'}`,
    '',
    '| store | on | requests/s | p50 ms | p99 ms | throughput vs off, median of rounds | p50 vs off, median of rounds |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ]);
  print(await compare('SQLite', { dataDir }));
  if (values['database-url'] !== undefined && values['database-url'] !== '') {
    const schema = await createPostgresSchema(values['database-url'], 'studio_ledger_bench');
    try {
      print(await compare('PostgreSQL', { databaseUrl: schema.url, dataDir }));
    } finally {
      await schema.drop();
    }
  } else {
    print(['', 'PostgreSQL skipped: pass --database-url or set DATABASE_URL.']);
  }
} finally {
  await target.close();
  await rm(dataDir, { recursive: true, force: true });
}
