// The request ledger with group commit: every queued open, close and key touch goes out in one transaction per flush.
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Ledger, LedgerClose, LedgerOpen } from '../core/store.js';
import { fromTimestamp, toIso, toMicros, utcDay } from './column-values.js';
import type { DailyUsageTable, Database, Flavour, RequestsTable } from './schema.js';

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

/** The open half of a row already in the table. */
function storedOpen(row: Selectable<RequestsTable>): LedgerOpen {
  return {
    requestId: row.request_id,
    startedAt: fromTimestamp(row.started_at),
    ...(row.key_id === null ? {} : { keyId: row.key_id }),
    modelRequested: row.model_requested,
    wire: row.wire === 'dashscope' ? 'dashscope' : 'openai',
    stream: Number(row.stream) === 1,
    n: Number(row.n),
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
    cost_micros: row.cost === undefined ? null : toMicros(row.cost),
    currency: row.currency ?? null,
    ttft_ms: row.ttftMs === undefined ? null : Math.round(row.ttftMs),
    duration_ms: Math.round(row.durationMs),
    finish_reason: row.finishReason ?? null,
    error_code: row.errorCode ?? null,
    closed_at: toIso(closedAt),
  };
}

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
  };
}

/** Sums totals per daily row, in a fixed order so that concurrent writers lock rows alike and never deadlock. */
function dailyRows(totals: readonly Totals[]): Insertable<DailyUsageTable>[] {
  const rows = new Map<string, Insertable<DailyUsageTable> & { requests: number; prompt_tokens: number; cached_tokens: number; completion_tokens: number; reasoning_tokens: number; cost_micros: number }>();
  for (const t of totals) {
    const id = JSON.stringify([t.day, t.keyId, t.model, t.currency]);
    const row = rows.get(id) ?? { day: t.day, key_id: t.keyId, model: t.model, currency: t.currency, requests: 0, prompt_tokens: 0, cached_tokens: 0, completion_tokens: 0, reasoning_tokens: 0, cost_micros: 0 };
    row.requests += 1;
    row.prompt_tokens += t.prompt;
    row.cached_tokens += t.cached;
    row.completion_tokens += t.completion;
    row.reasoning_tokens += t.reasoning;
    row.cost_micros += t.costMicros;
    rows.set(id, row);
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

async function addToDailyTotals(trx: Transaction<Database>, totals: readonly Totals[]): Promise<void> {
  for (const row of dailyRows(totals)) {
    await trx
      .insertInto('daily_usage')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['day', 'key_id', 'model', 'currency']).doUpdateSet((eb) => ({
          requests: eb('daily_usage.requests', '+', eb.ref('excluded.requests')),
          prompt_tokens: eb('daily_usage.prompt_tokens', '+', eb.ref('excluded.prompt_tokens')),
          cached_tokens: eb('daily_usage.cached_tokens', '+', eb.ref('excluded.cached_tokens')),
          completion_tokens: eb('daily_usage.completion_tokens', '+', eb.ref('excluded.completion_tokens')),
          reasoning_tokens: eb('daily_usage.reasoning_tokens', '+', eb.ref('excluded.reasoning_tokens')),
          cost_micros: eb('daily_usage.cost_micros', '+', eb.ref('excluded.cost_micros')),
        })),
      )
      .execute();
  }
}

export class KyselyLedger implements Ledger {
  #opens: LedgerOpen[] = [];
  #closes: QueuedClose[] = [];
  #touches: QueuedTouch[] = [];
  /** Opened by this process and not yet closed: a close can always write the whole row. */
  readonly #inFlight = new Map<string, LedgerOpen>();
  #flushing: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    /** Written on each row this process opens, so a restart closes only its own leftovers. */
    private readonly instance: string,
    /** PostgreSQL locks the rows a flush closes, against another replica closing the same request. */
    private readonly flavour: Flavour,
  ) {}

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
          .set({ status: 'interrupted', closed_at: toIso(new Date()) })
          .where('status', '=', 'open')
          .where('request_id', 'in', group)
          .returning(['started_at', 'key_id', 'model_requested'])
          .execute();
        for (const row of moved) {
          // Nothing is known of what it evaluated: it counts as a request, with no tokens and no cost.
          const day = utcDay(fromTimestamp(row.started_at));
          interrupted.push({ day, keyId: row.key_id ?? '', model: row.model_requested, currency: '', prompt: 0, cached: 0, completion: 0, reasoning: 0, costMicros: 0 });
        }
      }
      await addToDailyTotals(trx, interrupted);
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
      await this.db.transaction().execute((trx) => this.#write(trx, opens, closes, touches));
      for (const { row } of closes) this.#inFlight.delete(row.requestId);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.#flushing = undefined;
      if (this.#pending()) this.#schedule();
    }
  }

  async #write(trx: Transaction<Database>, opens: readonly LedgerOpen[], closes: readonly QueuedClose[], touches: readonly QueuedTouch[]): Promise<void> {
    const closing = new Set(closes.map(({ row }) => row.requestId));
    // An open closed in the same flush is written once, already closed, below.
    const onlyOpened = opens.filter((row) => !closing.has(row.requestId));
    for (const group of chunks(onlyOpened)) {
      await trx
        .insertInto('requests')
        .values(group.map((row) => openValues(row, this.instance)))
        .onConflict((conflict) => conflict.column('request_id').doNothing())
        .execute();
    }

    // Closes go out in a few statements per flush, whatever their number: read what is there, replace the open rows.
    const firstClose = new Map<string, QueuedClose>();
    for (const close of closes) if (!firstClose.has(close.row.requestId)) firstClose.set(close.row.requestId, close);
    const ids = [...firstClose.keys()];
    const existing = new Map<string, Selectable<RequestsTable>>();
    for (const group of chunks(ids)) {
      const rows = await trx
        .selectFrom('requests')
        .selectAll()
        .where('request_id', 'in', group)
        .$if(this.flavour === 'postgres', (query) => query.forUpdate())
        .execute();
      for (const row of rows) existing.set(row.request_id, row);
    }
    const reopened = ids.filter((id) => existing.get(id)?.status === 'open');
    for (const group of chunks(reopened)) await trx.deleteFrom('requests').where('request_id', 'in', group).execute();

    const closedRows: Insertable<RequestsTable>[] = [];
    const totalsById = new Map<string, Totals>();
    for (const [id, { row, closedAt }] of firstClose) {
      const stored = existing.get(id);
      // Closed already (a repeated close, or interrupted): nothing changes and nothing is counted again.
      if (stored !== undefined && stored.status !== 'open') continue;
      // Not in the table: its open was lost with a failed flush, or it never had one.
      const open = stored === undefined ? (this.#inFlight.get(id) ?? withoutOpen(row, closedAt)) : storedOpen(stored);
      closedRows.push({ ...openValues(open, stored?.instance ?? this.instance), ...closeValues(row, closedAt) });
      totalsById.set(id, totalsOf(open, row));
    }
    const totals: Totals[] = [];
    for (const group of chunks(closedRows)) {
      const inserted = await trx
        .insertInto('requests')
        .values(group)
        .onConflict((conflict) => conflict.column('request_id').doNothing())
        .returning('request_id')
        .execute();
      for (const { request_id } of inserted) totals.push(totalsById.get(request_id)!);
    }
    await addToDailyTotals(trx, totals);

    const lastUse = new Map<string, Date>();
    for (const { id, at } of touches) if ((lastUse.get(id)?.getTime() ?? -Infinity) < at.getTime()) lastUse.set(id, at);
    for (const [id, at] of lastUse) {
      await trx
        .updateTable('api_keys')
        .set({ last_used_at: toIso(at) })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', toIso(at))]))
        .execute();
    }
  }
}
