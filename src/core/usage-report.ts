// A usage query's days and grouping checked and defaulted, and its rows added up: shared by the usage API and `studio usage`.
import { InvalidRequestError } from './errors.js';
import type { UsageGroup, UsageRow } from './store.js';

export interface UsageQuery {
  /** UTC days, inclusive, YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
  readonly groupBy: UsageGroup;
}

export interface UsageTotals {
  readonly requests: number;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  readonly unreportedRequests: number;
  /** Per currency; models without a price add nothing. */
  readonly cost: Readonly<Record<string, number>>;
}

const GROUPS: readonly UsageGroup[] = ['day', 'model', 'key'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string, param: string): string {
  const parsed = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new InvalidRequestError(`${param} must be a day written YYYY-MM-DD (UTC), got '${value.slice(0, 40)}'.`, param);
  }
  return value;
}

/** By default the current UTC month to today, grouped by day. */
export function usageQuery(input: { readonly from?: string; readonly to?: string; readonly groupBy?: string }, now: Date, groupParam = 'group_by'): UsageQuery {
  const today = now.toISOString().slice(0, 10);
  const to = input.to === undefined ? today : day(input.to, 'to');
  const from = input.from === undefined ? `${to.slice(0, 7)}-01` : day(input.from, 'from');
  if (from > to) throw new InvalidRequestError(`from (${from}) is after to (${to}).`, 'from');
  const groupBy = input.groupBy ?? 'day';
  if (!(GROUPS as readonly string[]).includes(groupBy)) {
    throw new InvalidRequestError(`${groupParam} must be one of ${GROUPS.join(', ')}, got '${groupBy.slice(0, 40)}'.`, groupParam);
  }
  return { from, to, groupBy: groupBy as UsageGroup };
}

/**
 * The store keeps a group's rows apart by currency; a group's requests with no price (refused before
 * a priced model answered) join its one priced row, so that each group reads as one line.
 */
export function foldUnpriced(rows: readonly UsageRow[]): UsageRow[] {
  const copies = rows.map((row) => ({ ...row }));
  return copies.filter((row) => {
    if (row.currency !== undefined) return true;
    const priced = copies.filter((other) => other.group === row.group && other.currency !== undefined);
    const target = priced.length === 1 ? priced[0] : undefined;
    if (target === undefined) return true;
    target.requests += row.requests;
    target.promptTokens += row.promptTokens;
    target.cachedTokens += row.cachedTokens;
    target.completionTokens += row.completionTokens;
    target.reasoningTokens += row.reasoningTokens;
    target.unreportedRequests += row.unreportedRequests;
    return false;
  });
}

/** Sums in millionths, as the store keeps money, so a total is exact. */
export function usageTotals(rows: readonly UsageRow[]): UsageTotals {
  const micros: Record<string, number> = {};
  let requests = 0;
  let promptTokens = 0;
  let cachedTokens = 0;
  let completionTokens = 0;
  let reasoningTokens = 0;
  let unreportedRequests = 0;
  for (const row of rows) {
    requests += row.requests;
    promptTokens += row.promptTokens;
    cachedTokens += row.cachedTokens;
    completionTokens += row.completionTokens;
    reasoningTokens += row.reasoningTokens;
    unreportedRequests += row.unreportedRequests;
    if (row.currency !== undefined) micros[row.currency] = (micros[row.currency] ?? 0) + Math.round(row.cost * 1e6);
  }
  const cost = Object.fromEntries(Object.entries(micros).map(([currency, amount]) => [currency, amount / 1e6]));
  return { requests, promptTokens, cachedTokens, completionTokens, reasoningTokens, unreportedRequests, cost };
}

function rowJson(row: Omit<UsageRow, 'group' | 'cost' | 'currency'>): Record<string, number> {
  return {
    requests: row.requests,
    prompt_tokens: row.promptTokens,
    cached_tokens: row.cachedTokens,
    completion_tokens: row.completionTokens,
    reasoning_tokens: row.reasoningTokens,
    total_tokens: row.promptTokens + row.completionTokens,
    // Requests counted above whose tokens are not: the engine reported no usage, or the request was interrupted.
    unreported_requests: row.unreportedRequests,
  };
}

/** The usage API's answer, which `studio usage --format json` prints too. */
export function usageJson(query: UsageQuery, rows: readonly UsageRow[]): object {
  const totals = usageTotals(rows);
  return {
    object: 'usage',
    from: query.from,
    to: query.to,
    group_by: query.groupBy,
    data: rows.map((row) => ({ group: row.group, ...rowJson(row), cost: row.cost, currency: row.currency ?? null })),
    total: { ...rowJson(totals), cost: totals.cost },
  };
}
