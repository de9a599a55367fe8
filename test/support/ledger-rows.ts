// Reads the usage ledger straight from a SQLite store's file, as committed, for tests of what Studio recorded.
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface LedgerRow {
  readonly request_id: string;
  readonly instance: string;
  readonly key_id: string | null;
  readonly model_requested: string;
  readonly model_served: string | null;
  readonly wire: string;
  readonly stream: number;
  readonly n: number;
  readonly status: string;
  readonly prompt_tokens: number;
  readonly cached_tokens: number;
  readonly completion_tokens: number;
  readonly reasoning_tokens: number;
  /** 0 when the engine reported no token counts. */
  readonly usage_reported: number;
  readonly cost_micros: number | null;
  readonly currency: string | null;
  readonly ttft_ms: number | null;
  readonly duration_ms: number | null;
  readonly finish_reason: string | null;
  readonly error_code: string | null;
}

export interface LedgerTotals {
  readonly requests: number;
  readonly prompt_tokens: number;
  readonly cached_tokens: number;
  readonly completion_tokens: number;
  readonly reasoning_tokens: number;
  readonly cost_micros: number;
}

export interface LedgerSnapshot {
  /** By request id. */
  readonly rows: ReadonlyMap<string, LedgerRow>;
  /** The daily totals table summed over all its rows. */
  readonly daily: LedgerTotals;
  /** The closed rows summed the same way: what the daily totals must equal. */
  readonly closed: LedgerTotals;
  /** `PRAGMA integrity_check`: 'ok' for a sound file. */
  readonly integrity: string;
}

const SUMS =
  'COUNT(*) AS requests, COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(cached_tokens), 0) AS cached_tokens, ' +
  'COALESCE(SUM(completion_tokens), 0) AS completion_tokens, COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens, COALESCE(SUM(cost_micros), 0) AS cost_micros';

export function readLedger(dataDir: string): LedgerSnapshot {
  const db = new Database(join(dataDir, 'studio.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT * FROM requests').all() as LedgerRow[];
    const daily = db.prepare(`SELECT ${SUMS.replace('COUNT(*)', 'COALESCE(SUM(requests), 0)')} FROM daily_usage`).get() as LedgerTotals;
    const closed = db.prepare(`SELECT ${SUMS} FROM requests WHERE status <> 'open'`).get() as LedgerTotals;
    const integrity = (db.pragma('integrity_check', { simple: true }) as string) ?? '';
    return { rows: new Map(rows.map((row) => [row.request_id, row])), daily, closed, integrity };
  } finally {
    db.close();
  }
}
