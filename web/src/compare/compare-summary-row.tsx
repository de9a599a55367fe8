// The row under the columns naming which column answered the latest message fastest and which cost least.
import { formatCost } from '../chat/reply-cost.js';
import type { CompareSummary, Leader } from './compare-summary.js';

interface Props {
  readonly summary: CompareSummary;
  /** The models of the columns, by index. */
  readonly models: readonly string[];
}

function Winner({ title, text, missing }: { title: string; text: string | undefined; missing: string }) {
  return (
    <div class="compare-winner">
      <dt>{title}</dt>
      <dd>{text ?? missing}</dd>
    </div>
  );
}

export function CompareSummaryRow({ summary, models }: Props) {
  const named = (leader: Leader | undefined, value: (leader: Leader) => string) => (leader === undefined ? undefined : `Column ${leader.column + 1} (${models[leader.column] ?? '?'}): ${value(leader)}`);
  const { firstToken, speed, cheapest } = summary;
  return (
    <section class="compare-summary" aria-label="Summary of the latest answers">
      <h2>Latest answers</h2>
      <dl>
        <Winner title="Fastest first token" text={named(firstToken, ({ value }) => `${Math.round(value)} ms`)} missing="no column has answered" />
        <Winner title="Fastest output" text={named(speed, ({ value }) => `${value.toFixed(1)} tokens/s`)} missing="no column wrote more than one token" />
        <Winner
          title="Cheapest"
          text={named(cheapest, ({ value }) => formatCost({ currency: cheapest?.currency ?? '', total: value }))}
          missing={summary.currenciesDiffer ? 'prices are in different currencies' : 'no price in the catalog'}
        />
      </dl>
    </section>
  );
}
