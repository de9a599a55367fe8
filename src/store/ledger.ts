// The request ledger with group commit: every queued open, close and key touch goes out in one transaction per flush.
import { CompiledQuery, sql, type Compilable, type Insertable, type Kysely } from 'kysely';
import type { Ledger, LedgerClose, LedgerOpen } from '../core/store.js';
import { fromTimestamp, toIso, toMicros, utcDay } from './column-values.js';
import type { DailyUsageTable, Database, Flavour, RequestsTable } from './schema.js';
import { sqliteTransactions, type RunSql, type SqliteTransactions } from './sqlite-dialect.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

interface QueuedClose extends Waiter {
  readonly row: LedgerClose;
  readonly closedAt: Date;
}

interface QueuedTouch extends Waiter {
  readonly id: string;
  readonly at: Date;
}

/** What a row that moves from open to closed adds to its day's totals. */
interface Totals {
  readonly day: string;
  readonly keyId: string;
  readonly model: string;
  readonly currency: string;
  readonly prompt: number;
  readonly cached: number;
  readonly completion: number;
  readonly reasoning: number;
  readonly costMicros: number;
  /** Whether its token counts are known. */
  readonly reported: boolean;
}

/** Rows per multi-row insert, well under SQLite's limit on bound values. */
const INSERT_CHUNK = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += INSERT_CHUNK) out.push(items.slice(start, start + INSERT_CHUNK));
  return out;
}

function openValues(row: LedgerOpen, instance: string): Insertable<RequestsTable> {
  return {
    request_id: row.requestId,
    instance,
    started_at: toIso(row.startedAt),
    key_id: row.keyId ?? null,
    model_requested: row.modelRequested,
    wire: row.wire,
    stream: row.stream ? 1 : 0,
    n: row.n,
    status: 'open',
    prompt_tokens: 0,
    cached_tokens: 0,
    completion_tokens: 0,
    reasoning_tokens: 0,
  };
}

/** A close that never had an open: what it says, and a start its duration implies. */
function withoutOpen(row: LedgerClose, closedAt: Date): LedgerOpen {
  return {
    requestId: row.requestId,
    startedAt: new Date(closedAt.getTime() - row.durationMs),
    modelRequested: row.modelServed ?? '',
    wire: 'openai',
    stream: false,
    n: 1,
  };
}

function closeValues(row: LedgerClose, closedAt: Date) {
  return {
    model_served: row.modelServed ?? null,
    status: row.status,
    prompt_tokens: row.promptTokens,
    cached_tokens: row.cachedTokens,
    completion_tokens: row.completionTokens,
    reasoning_tokens: row.reasoningTokens,
    usage_reported: row.usageReported ? 1 : 0,
    cost_micros: row.cost === undefined ? null : toMicros(row.cost),
    currency: row.currency ?? null,
    ttft_ms: row.ttftMs === undefined ? null : Math.round(row.ttftMs),
    duration_ms: Math.round(row.durationMs),
    finish_reason: row.finishReason ?? null,
    error_code: row.errorCode ?? null,
    closed_at: toIso(closedAt),
  };
}

/** The close columns of a row still open: every row of one statement names the same columns. */
const NOT_CLOSED = {
  model_served: null,
  status: 'open',
  prompt_tokens: 0,
  cached_tokens: 0,
  completion_tokens: 0,
  reasoning_tokens: 0,
  usage_reported: 1,
  cost_micros: null,
  currency: null,
  ttft_ms: null,
  duration_ms: null,
  finish_reason: null,
  error_code: null,
  closed_at: null,
} as const satisfies Record<keyof ReturnType<typeof closeValues>, unknown>;

function totalsOf(open: { startedAt: Date; keyId?: string; modelRequested: string }, close: LedgerClose): Totals {
  return {
    day: utcDay(open.startedAt),
    keyId: open.keyId ?? '',
    model: close.modelServed ?? open.modelRequested,
    currency: close.currency ?? '',
    prompt: close.promptTokens,
    cached: close.cachedTokens,
    completion: close.completionTokens,
    reasoning: close.reasoningTokens,
    costMicros: close.cost === undefined ? 0 : toMicros(close.cost),
    reported: close.usageReported,
  };
}

/** Sums totals per daily row, in a fixed order so that concurrent writers lock rows alike and never deadlock. */
function dailyRows(totals: readonly Totals[]): Insertable<DailyUsageTable>[] {
  const rows = new Map<string, Insertable<DailyUsageTable> & { requests: number; prompt_tokens: number; cached_tokens: number; completion_tokens: number; reasoning_tokens: number; cost_micros: number; unreported_requests: number }>();
  for (const t of totals) {
    const id = JSON.stringify([t.day, t.keyId, t.model, t.currency]);
    const row = rows.get(id) ?? { day: t.day, key_id: t.keyId, model: t.model, currency: t.currency, requests: 0, prompt_tokens: 0, cached_tokens: 0, completion_tokens: 0, reasoning_tokens: 0, cost_micros: 0, unreported_requests: 0 };
    row.requests += 1;
    row.prompt_tokens += t.prompt;
    row.cached_tokens += t.cached;
    row.completion_tokens += t.completion;
    row.reasoning_tokens += t.reasoning;
    row.cost_micros += t.costMicros;
    if (!t.reported) row.unreported_requests += 1;
    rows.set(id, row);
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** A multi-row statement's SQL by its number of rows. */
type CompiledShapes = Map<number, string>;

/** Runs a statement through Kysely: on PostgreSQL and PGlite; SQLite's flush runs on better-sqlite3 directly (`sqliteTransactions`). */
function kyselyRun(trx: Kysely<Database>): RunSql {
  return async <R>(text: string, parameters: readonly unknown[]) => (await trx.executeQuery<R>(CompiledQuery.raw(text, [...parameters]))).rows;
}

/**
 * Runs a multi-row statement that Kysely compiles once per row count: its SQL takes the rows' values row
 * by row in column order, so a later flush with as many rows binds its own to it, with no compile (and, on
 * SQLite, no prepare).
 */
async function runMultiRow<R, T extends object>(run: RunSql, shapes: CompiledShapes, rows: readonly T[], build: (rows: readonly T[]) => Compilable<R>): Promise<readonly R[]> {
  // Object.values per row plus flatMap would allocate an array per row on every flush.
  const parameters: unknown[] = [];
  for (const row of rows) for (const column in row) parameters.push(row[column]);
  let text = shapes.get(rows.length);
  if (text === undefined) {
    const compiled = build(rows).compile();
    if (compiled.parameters.length !== parameters.length || compiled.parameters.some((value, index) => value !== parameters[index])) {
      throw new Error('A multi-row ledger statement does not take its values row by row.');
    }
    text = compiled.sql;
    shapes.set(rows.length, text);
  }
  return run<R>(text, parameters);
}

/** One multi-row upsert per chunk; the rows are distinct and sorted, so a statement never touches a row twice. */
async function addToDailyTotals(trx: Kysely<Database>, run: RunSql, shapes: CompiledShapes, totals: readonly Totals[]): Promise<void> {
  for (const group of chunks(dailyRows(totals))) {
    await runMultiRow(run, shapes, group, (rows) =>
      trx
        .insertInto('daily_usage')
        .values([...rows])
        .onConflict((conflict) =>
          conflict.columns(['day', 'key_id', 'model', 'currency']).doUpdateSet((eb) => ({
            requests: eb('daily_usage.requests', '+', eb.ref('excluded.requests')),
            prompt_tokens: eb('daily_usage.prompt_tokens', '+', eb.ref('excluded.prompt_tokens')),
            cached_tokens: eb('daily_usage.cached_tokens', '+', eb.ref('excluded.cached_tokens')),
            completion_tokens: eb('daily_usage.completion_tokens', '+', eb.ref('excluded.completion_tokens')),
            reasoning_tokens: eb('daily_usage.reasoning_tokens', '+', eb.ref('excluded.reasoning_tokens')),
            cost_micros: eb('daily_usage.cost_micros', '+', eb.ref('excluded.cost_micros')),
            unreported_requests: eb('daily_usage.unreported_requests', '+', eb.ref('excluded.unreported_requests')),
          })),
        ),
    );
  }
}

const DAILY_SUMS = ['requests', 'prompt_tokens', 'cached_tokens', 'completion_tokens', 'reasoning_tokens', 'cost_micros', 'unreported_requests'];

/**
 * PostgreSQL only: after the requests upsert (as "moved"), the daily totals of the rows it moved to closed,
 * summed as `totalsOf` and `dailyRows` sum them, in the same statement, so a flush is one round trip. The
 * days' rows are upserted in byte order (collate "C"), as `dailyRows` sorts them, so writers never deadlock.
 */
const ADD_MOVED_TO_DAYS = `
insert into "daily_usage" ("day", "key_id", "model", "currency", ${DAILY_SUMS.map((column) => `"${column}"`).join(', ')})
select "day", "key_id", "model", "currency", count(*), sum("prompt_tokens"), sum("cached_tokens"), sum("completion_tokens"),
  sum("reasoning_tokens"), coalesce(sum("cost_micros"), 0), sum(1 - "usage_reported")
from (
  select to_char("started_at" at time zone 'UTC', 'YYYY-MM-DD') as "day", coalesce("key_id", '') as "key_id",
    coalesce("model_served", "model_requested") as "model", coalesce("currency", '') as "currency",
    "prompt_tokens", "cached_tokens", "completion_tokens", "reasoning_tokens", "cost_micros", "usage_reported"
  from "moved" where "status" <> 'open'
) as "closed"
group by "day", "key_id", "model", "currency"
order by "day" collate "C", "key_id" collate "C", "model" collate "C", "currency" collate "C"
on conflict ("day", "key_id", "model", "currency") do update set
  ${DAILY_SUMS.map((column) => `"${column}" = "daily_usage"."${column}" + "excluded"."${column}"`).join(', ')}`;

export class KyselyLedger implements Ledger {
  #opens: LedgerOpen[] = [];
  #closes: QueuedClose[] = [];
  #touches: QueuedTouch[] = [];
  /** Opened by this process and not yet closed: a close can always write the whole row. */
  readonly #inFlight = new Map<string, LedgerOpen>();
  readonly #requestShapes: CompiledShapes = new Map();
  readonly #dailyShapes: CompiledShapes = new Map();
  readonly #foldedShapes: CompiledShapes = new Map();
  /** On SQLite a flush's statements run on better-sqlite3 directly, with no promise or query object each. */
  readonly #sqlite: SqliteTransactions | undefined;
  #flushing: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    /** Written on each row this process opens, so a restart closes only its own leftovers. */
    private readonly instance: string,
    private readonly flavour: Flavour,
  ) {
    this.#sqlite = sqliteTransactions(db);
  }

  open(row: LedgerOpen): void {
    if (this.#closed) return;
    this.#inFlight.set(row.requestId, row);
    this.#opens.push(row);
    this.#schedule();
  }

  close(row: LedgerClose): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('The ledger is closed.'));
    return new Promise((resolve, reject) => {
      this.#closes.push({ row, closedAt: new Date(), resolve, reject });
      this.#schedule();
    });
  }

  touch(id: string, at: Date): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#touches.push({ id, at, resolve, reject });
      this.#schedule();
    });
  }

  async closeInterrupted(): Promise<number> {
    await this.flush();
    return this.db.transaction().execute(async (trx) => {
      const left = await trx.selectFrom('requests').select('request_id').where('instance', '=', this.instance).where('status', '=', 'open').execute();
      const stale = left.map((row) => row.request_id).filter((id) => !this.#inFlight.has(id));
      const interrupted: Totals[] = [];
      for (const group of chunks(stale)) {
        const moved = await trx
          .updateTable('requests')
          .set({ status: 'interrupted', usage_reported: 0, closed_at: toIso(new Date()) })
          .where('status', '=', 'open')
          .where('request_id', 'in', group)
          .returning(['started_at', 'key_id', 'model_requested'])
          .execute();
        for (const row of moved) {
          // Nothing is known of what it evaluated: it counts as a request whose usage is unknown, with no cost.
          const day = utcDay(fromTimestamp(row.started_at));
          interrupted.push({ day, keyId: row.key_id ?? '', model: row.model_requested, currency: '', prompt: 0, cached: 0, completion: 0, reasoning: 0, costMicros: 0, reported: false });
        }
      }
      await addToDailyTotals(trx, kyselyRun(trx), this.#dailyShapes, interrupted);
      return interrupted.length;
    });
  }

  /** Writes everything queued so far; resolves when it is committed. */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined || this.#pending()) {
      if (this.#flushing === undefined) this.#flushing = this.#runFlush();
      await this.#flushing.catch(() => undefined);
    }
  }

  /** Flushes what is queued; later opens and closes are refused. */
  async shutdown(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #pending(): boolean {
    return this.#opens.length + this.#closes.length + this.#touches.length > 0;
  }

  /** One flush at a time; what arrives meanwhile waits for the next, started as soon as this one ends. */
  #schedule(): void {
    if (this.#scheduled || this.#flushing !== undefined) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#flushing === undefined && this.#pending()) this.#flushing = this.#runFlush();
    });
  }

  async #runFlush(): Promise<void> {
    const opens = this.#opens;
    const closes = this.#closes;
    const touches = this.#touches;
    this.#opens = [];
    this.#closes = [];
    this.#touches = [];
    const waiters: Waiter[] = [...closes, ...touches];
    try {
      // On PostgreSQL a flush of one statement (see #write) needs no transaction around it: one round trip, one commit.
      const rows = new Set([...opens.map((row) => row.requestId), ...closes.map(({ row }) => row.requestId)]).size;
      if (this.#sqlite !== undefined) await this.#sqlite((run) => this.#write(this.db, run, opens, closes, touches));
      else if (this.flavour === 'postgres' && touches.length === 0 && rows <= INSERT_CHUNK) await this.#write(this.db, kyselyRun(this.db), opens, closes, touches);
      else await this.db.transaction().execute((trx) => this.#write(trx, kyselyRun(trx), opens, closes, touches));
      for (const { row } of closes) this.#inFlight.delete(row.requestId);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.#flushing = undefined;
      if (this.#pending()) this.#schedule();
    }
  }

  /** `trx` builds the statements and `run` runs them. */
  async #write(trx: Kysely<Database>, run: RunSql, opens: readonly LedgerOpen[], closes: readonly QueuedClose[], touches: readonly QueuedTouch[]): Promise<void> {
    // One row per request id: its first close, whole (an open in the same flush is folded into it), else its open.
    const rows = new Map<string, { values: Insertable<RequestsTable>; close?: LedgerClose }>();
    for (const { row, closedAt } of closes) {
      if (rows.has(row.requestId)) continue;
      const open = this.#inFlight.get(row.requestId) ?? withoutOpen(row, closedAt);
      rows.set(row.requestId, { values: { ...openValues(open, this.instance), ...closeValues(row, closedAt) }, close: row });
    }
    for (const row of opens) if (!rows.has(row.requestId)) rows.set(row.requestId, { values: { ...openValues(row, this.instance), ...NOT_CLOSED } });
    // Sorted, so that replicas closing the same rows lock them alike and never deadlock.
    const ordered = [...rows.keys()].sort().map((id) => rows.get(id)!.values);

    // New rows go in as they are; a row already there changes only while open, and only by a close (a repeated
    // close, or one after 'interrupted', changes nothing). The rows returned closed are exactly those that moved.
    const totals: Totals[] = [];
    const groups = chunks(ordered);
    // PostgreSQL adds a lone chunk's closes to the days in the same statement; more chunks take the general path,
    // whose one sorted upsert of the days keeps replicas from locking them in different orders.
    const folded = this.flavour === 'postgres' && groups.length === 1;
    for (const group of groups) {
      const build = (rows: readonly Insertable<RequestsTable>[]) =>
        trx
          .insertInto('requests')
          .values([...rows])
          .onConflict((conflict) =>
            conflict
              .column('request_id')
              .doUpdateSet((eb) => ({
                model_served: eb.ref('excluded.model_served'),
                status: eb.ref('excluded.status'),
                prompt_tokens: eb.ref('excluded.prompt_tokens'),
                cached_tokens: eb.ref('excluded.cached_tokens'),
                completion_tokens: eb.ref('excluded.completion_tokens'),
                reasoning_tokens: eb.ref('excluded.reasoning_tokens'),
                usage_reported: eb.ref('excluded.usage_reported'),
                cost_micros: eb.ref('excluded.cost_micros'),
                currency: eb.ref('excluded.currency'),
                ttft_ms: eb.ref('excluded.ttft_ms'),
                duration_ms: eb.ref('excluded.duration_ms'),
                finish_reason: eb.ref('excluded.finish_reason'),
                error_code: eb.ref('excluded.error_code'),
                closed_at: eb.ref('excluded.closed_at'),
              }))
              .where('requests.status', '=', sql.lit('open'))
              .where('excluded.status', '<>', sql.lit('open')),
          )
          .returning(['request_id', 'status', 'started_at', 'key_id', 'model_requested', 'model_served', 'currency', 'usage_reported', 'prompt_tokens', 'cached_tokens', 'completion_tokens', 'reasoning_tokens', 'cost_micros']);
      if (folded) {
        await runMultiRow(run, this.#foldedShapes, group, (rows) => {
          const compiled = build(rows).compile();
          return { compile: () => CompiledQuery.raw(`with "moved" as (${compiled.sql})${ADD_MOVED_TO_DAYS}`, [...compiled.parameters]) };
        });
        continue;
      }
      const written = await runMultiRow(run, this.#requestShapes, group, build);
      for (const row of written) {
        const close = rows.get(row.request_id)?.close;
        if (row.status === 'open' || close === undefined) continue;
        totals.push(totalsOf({ startedAt: fromTimestamp(row.started_at), keyId: row.key_id ?? undefined, modelRequested: row.model_requested }, close));
      }
    }
    await addToDailyTotals(trx, run, this.#dailyShapes, totals);

    const lastUse = new Map<string, Date>();
    for (const { id, at } of touches) if ((lastUse.get(id)?.getTime() ?? -Infinity) < at.getTime()) lastUse.set(id, at);
    for (const [id, at] of lastUse) {
      const { sql: text, parameters } = trx
        .updateTable('api_keys')
        .set({ last_used_at: toIso(at) })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', toIso(at))]))
        .compile();
      await run(text, parameters);
    }
  }
}
