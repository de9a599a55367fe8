// What each key spent in its budget's period so far (this month for a key without a budget), from the admin usage API grouped by key.
import { studioFetch } from '../api/studio-fetch.js';
import { usagePath, type UsageReport } from '../usage/usage-report.js';
import type { AdminKey, BudgetPeriod } from './admin-keys.js';

export interface Spend {
  readonly amount: number;
  /** `null`: nothing priced was spent. */
  readonly currency: string | null;
  readonly period: BudgetPeriod;
}

/** The UTC day a budget period began: today, this week's Monday, or the 1st of the month (as Studio counts budgets). */
export function periodStart(period: BudgetPeriod, now: Date): string {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), period === 'month' ? 1 : now.getUTCDate()));
  if (period === 'week') start.setUTCDate(start.getUTCDate() - ((now.getUTCDay() + 6) % 7));
  return start.toISOString().slice(0, 10);
}

const periodOf = (key: AdminKey): BudgetPeriod => key.limits.budget?.period ?? 'month';

/**
 * Usage grouped by key names keys, not ids; a revoked key can share its name with a live one, so only
 * keys that are not revoked are given a spend.
 */
export function spendByKey(keys: readonly AdminKey[], reports: ReadonlyMap<BudgetPeriod, UsageReport>): Map<string, Spend> {
  const spends = new Map<string, Spend>();
  for (const key of keys) {
    if (key.state === 'revoked') continue;
    const period = periodOf(key);
    const rows = reports.get(period)?.data.filter((row) => row.group === key.name) ?? [];
    const priced = rows.find((row) => row.currency !== null);
    spends.set(key.id, { amount: priced?.cost ?? 0, currency: priced?.currency ?? null, period });
  }
  return spends;
}

export async function readSpend(adminKey: string, keys: readonly AdminKey[], now: Date, signal: AbortSignal): Promise<Map<string, Spend>> {
  const periods = [...new Set(keys.map(periodOf))];
  const to = now.toISOString().slice(0, 10);
  const reports = await Promise.all(
    periods.map(async (period) => {
      const response = await studioFetch(usagePath('all', { from: periodStart(period, now), to, groupBy: 'key' }), adminKey, { signal });
      return [period, (await response.json()) as UsageReport] as const;
    }),
  );
  return spendByKey(keys, new Map(reports));
}
