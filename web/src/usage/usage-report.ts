// Studio's usage answer (`GET /admin/v1/usage` for every key, `GET /v1/usage` for a key's own), and which of the two this key may read.
import { RequestFailed, studioFetch } from '../api/studio-fetch.js';

export type UsageGroupBy = 'day' | 'model' | 'key';

export interface UsageQuery {
  /** UTC days, inclusive, YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
  readonly groupBy: UsageGroupBy;
}

interface UsageCounts {
  readonly requests: number;
  readonly prompt_tokens: number;
  readonly cached_tokens: number;
  readonly completion_tokens: number;
  readonly reasoning_tokens: number;
  readonly total_tokens: number;
  /** Requests among `requests` whose tokens are not known. */
  readonly unreported_requests: number;
}

export interface UsageRow extends UsageCounts {
  readonly group: string;
  readonly cost: number;
  /** `null`: the model has no price in the catalog. */
  readonly currency: string | null;
}

export interface UsageReport {
  readonly from: string;
  readonly to: string;
  readonly group_by: UsageGroupBy;
  readonly data: readonly UsageRow[];
  /** Cost per currency. */
  readonly total: UsageCounts & { readonly cost: Readonly<Record<string, number>> };
}

/** `all`: every key's usage, through the admin API; `own`: the usage of the key in the field. */
export type UsageScope = 'all' | 'own';

export function usagePath(scope: UsageScope, query: UsageQuery): string {
  const params = new URLSearchParams({ from: query.from, to: query.to, group_by: query.groupBy });
  return `${scope === 'all' ? 'admin/v1' : 'v1'}/usage?${params.toString()}`;
}

async function fetchReport(scope: UsageScope, key: string, query: UsageQuery, signal: AbortSignal): Promise<{ scope: UsageScope; report: UsageReport }> {
  const response = await studioFetch(usagePath(scope, query), key, { signal });
  return { scope, report: (await response.json()) as UsageReport };
}

/** The admin API first; a key it refuses (403: not the admin key; 401: no key it knows) reads its own usage instead. */
export async function readUsage(key: string, query: UsageQuery, signal: AbortSignal): Promise<{ scope: UsageScope; report: UsageReport }> {
  try {
    return await fetchReport('all', key, query, signal);
  } catch (error) {
    if (!(error instanceof RequestFailed && (error.status === 401 || error.status === 403))) throw error;
    return fetchReport('own', key, query, signal);
  }
}
