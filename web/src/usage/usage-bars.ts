// A usage report shaped for the chart: one bar per group (every day of the range when grouped by day), tokens and cost.
import type { UsageReport } from './usage-report.js';

export interface UsageBar {
  readonly label: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** In the chart's currency. */
  readonly cost: number;
}

export interface UsageBars {
  readonly bars: readonly UsageBar[];
  /** The currency the cost bars are in: the one with the largest total; `undefined` when nothing was priced. */
  readonly currency: string | undefined;
}

/** Every UTC day from `from` to `to`, inclusive, YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = new Date(`${from}T00:00:00Z`); day.toISOString().slice(0, 10) <= to; day.setUTCDate(day.getUTCDate() + 1)) {
    days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

function mainCurrency(cost: Readonly<Record<string, number>>): string | undefined {
  return Object.entries(cost).sort(([, a], [, b]) => b - a)[0]?.[0];
}

/** A group's rows (one per currency) make one bar; days without requests are bars of zero, so time reads evenly. */
export function usageBars(report: UsageReport): UsageBars {
  const currency = mainCurrency(report.total.cost);
  const byGroup = new Map<string, { promptTokens: number; completionTokens: number; cost: number }>();
  if (report.group_by === 'day') for (const day of daysBetween(report.from, report.to)) byGroup.set(day, { promptTokens: 0, completionTokens: 0, cost: 0 });
  for (const row of report.data) {
    const bar = byGroup.get(row.group) ?? { promptTokens: 0, completionTokens: 0, cost: 0 };
    bar.promptTokens += row.prompt_tokens;
    bar.completionTokens += row.completion_tokens;
    if (row.currency !== null && row.currency === currency) bar.cost += row.cost;
    byGroup.set(row.group, bar);
  }
  return { bars: [...byGroup].map(([label, bar]) => ({ label, ...bar })), currency };
}

/** The axis' top: the smallest 1, 2 or 5 times a power of ten at or above `value` (1 for nothing at all). */
export function axisMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((step) => step * power).find((top) => top >= value * (1 - 1e-12)) ?? 10 * power);
}
