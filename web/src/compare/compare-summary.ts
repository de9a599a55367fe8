// Which column answered the latest message fastest (first token, output speed) and which cost least.
import type { AssistantEntry } from '../chat/chat-entry.js';
import { replyCost } from '../chat/reply-cost.js';
import { replyMetrics } from '../chat/reply-metrics.js';

export interface Leader {
  /** The column's index. */
  readonly column: number;
  readonly value: number;
}

export interface CompareSummary {
  /** Lowest time to first token, in milliseconds. */
  readonly firstToken?: Leader;
  /** Highest output tokens per second. */
  readonly speed?: Leader;
  readonly cheapest?: Leader & { readonly currency: string };
  /** Costs in different currencies are not compared: no column is cheapest then. */
  readonly currenciesDiffer: boolean;
}

/** The best of the columns that have a value; the leftmost one on a tie. */
function best(values: readonly (number | undefined)[], better: (a: number, b: number) => boolean): Leader | undefined {
  return values.reduce<Leader | undefined>((leader, value, column) => (value === undefined || (leader !== undefined && !better(value, leader.value)) ? leader : { column, value }), undefined);
}

/** `replies` holds one entry a column, `undefined` where a column has no reply; a column without a value for a measure is left out of it. */
export function compareSummary(replies: readonly (AssistantEntry | undefined)[]): CompareSummary {
  const metrics = replies.map((entry) => (entry === undefined ? {} : replyMetrics(entry.timing, entry.reply.usage?.completion_tokens)));
  const costs = replies.map((entry) => (entry === undefined ? undefined : replyCost(entry.pricing, entry.reply.usage, entry.thinking)));
  const currencies = new Set(costs.flatMap((cost) => (cost === undefined ? [] : [cost.currency])));
  const firstToken = best(
    metrics.map((metric) => metric.timeToFirstTokenMs),
    (a, b) => a < b,
  );
  const speed = best(
    metrics.map((metric) => metric.tokensPerSecond),
    (a, b) => a > b,
  );
  const cheapest = currencies.size === 1 ? best(costs.map((cost) => cost?.total), (a, b) => a < b) : undefined;
  const [currency] = currencies;
  return {
    ...(firstToken === undefined ? {} : { firstToken }),
    ...(speed === undefined ? {} : { speed }),
    ...(cheapest === undefined || currency === undefined ? {} : { cheapest: { ...cheapest, currency } }),
    currenciesDiffer: currencies.size > 1,
  };
}
