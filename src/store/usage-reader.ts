// Usage for people and budgets, read from the daily totals only, never from the raw request rows.
import type { Kysely } from 'kysely';
import type { UsageGroup, UsageReader, UsageRow } from '../core/store.js';
import { fromCount, fromMicros, utcDay } from './column-values.js';
import type { Database } from './schema.js';

const groupColumn = { day: 'day', model: 'model', key: 'key_id' } as const satisfies Record<UsageGroup, string>;

/** How usage made without a stored key (a static `--api-key`, or no auth) is named when grouped by key. */
export const NO_KEY_GROUP = '(no key)';

export class KyselyUsageReader implements UsageReader {
  constructor(private readonly db: Kysely<Database>) {}

  async usage(query: { from: string; to: string; groupBy: UsageGroup; keyId?: string }): Promise<UsageRow[]> {
    const column = groupColumn[query.groupBy];
    const rows = await this.db
      .selectFrom('daily_usage')
      .select((eb) => [
        eb.ref(column).as('group'),
        'currency',
        eb.fn.sum<string>('requests').as('requests'),
        eb.fn.sum<string>('prompt_tokens').as('prompt_tokens'),
        eb.fn.sum<string>('cached_tokens').as('cached_tokens'),
        eb.fn.sum<string>('completion_tokens').as('completion_tokens'),
        eb.fn.sum<string>('reasoning_tokens').as('reasoning_tokens'),
        eb.fn.sum<string>('cost_micros').as('cost_micros'),
        eb.fn.sum<string>('unreported_requests').as('unreported_requests'),
      ])
      .where('day', '>=', query.from)
      .where('day', '<=', query.to)
      .$if(query.keyId !== undefined, (qb) => qb.where('key_id', '=', query.keyId ?? ''))
      .groupBy([column, 'currency'])
      .orderBy(column)
      .orderBy('currency')
      .execute();
    const names = query.groupBy === 'key' ? await this.keyNames(rows.map((row) => row.group)) : new Map<string, string>();
    return rows.map((row) => ({
      group: query.groupBy === 'key' ? (row.group === '' ? NO_KEY_GROUP : (names.get(row.group) ?? row.group)) : row.group,
      requests: fromCount(row.requests),
      promptTokens: fromCount(row.prompt_tokens),
      cachedTokens: fromCount(row.cached_tokens),
      completionTokens: fromCount(row.completion_tokens),
      reasoningTokens: fromCount(row.reasoning_tokens),
      unreportedRequests: fromCount(row.unreported_requests),
      cost: fromMicros(row.cost_micros),
      ...(row.currency === '' ? {} : { currency: row.currency }),
    }));
  }

  /** Whole UTC days from the one `since` falls in: budget periods start at midnight UTC. */
  async spend(keyId: string, since: Date): Promise<number> {
    const row = await this.db
      .selectFrom('daily_usage')
      .select((eb) => eb.fn.sum<string>('cost_micros').as('cost_micros'))
      .where('key_id', '=', keyId)
      .where('day', '>=', utcDay(since))
      .executeTakeFirst();
    return fromMicros(row?.cost_micros ?? null);
  }

  private async keyNames(ids: readonly string[]): Promise<Map<string, string>> {
    const known = ids.filter((id) => id !== '');
    if (known.length === 0) return new Map();
    const rows = await this.db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', known).execute();
    return new Map(rows.map((row) => [row.id, row.name]));
  }
}
