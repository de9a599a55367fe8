// The Usage page: tokens and cost by day, model or key over a range of UTC days, every key's for the admin, a key's own otherwise.
import { useEffect, useState } from 'preact/hooks';
import { RequestFailed } from '../api/studio-fetch.js';
import { ErrorNote } from '../error-note.js';
import { BarChart } from './bar-chart.js';
import { formatMoney } from './format-money.js';
import { monthToDate } from './month-to-date.js';
import { usageBars } from './usage-bars.js';
import { readUsage, type UsageGroupBy, type UsageReport, type UsageScope } from './usage-report.js';
import { UsageTable } from './usage-table.js';
import './usage.css';

interface Props {
  readonly apiKey: string;
  readonly reconnections: number;
  readonly onUnreachable: () => void;
}

const count = new Intl.NumberFormat('en', { notation: 'compact' });
const GROUPS: readonly { value: UsageGroupBy; label: string }[] = [
  { value: 'day', label: 'Day' },
  { value: 'model', label: 'Model' },
  { value: 'key', label: 'Key' },
];

/** A day's bar is labelled MM-DD; a long model or key name is cut. */
function shortLabel(label: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(label)) return label.slice(5);
  return label.length > 14 ? `${label.slice(0, 13)}…` : label;
}

export function UsagePage({ apiKey, reconnections, onUnreachable }: Props) {
  const [range, setRange] = useState(() => monthToDate(new Date()));
  const [groupBy, setGroupBy] = useState<UsageGroupBy>('day');
  const [refreshes, setRefreshes] = useState(0);
  const [result, setResult] = useState<{ scope: UsageScope; report: UsageReport }>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const request = new AbortController();
    readUsage(apiKey, { ...range, groupBy }, request.signal).then(
      (answer) => {
        setResult(answer);
        setError(undefined);
      },
      (failure: unknown) => {
        if (request.signal.aborted) return;
        setResult(undefined);
        setError(failure instanceof Error ? failure.message : String(failure));
        if (failure instanceof RequestFailed && failure.status === undefined) onUnreachable();
      },
    );
    return () => request.abort();
  }, [apiKey, range, groupBy, refreshes, reconnections, onUnreachable]);

  const shaped = result === undefined ? undefined : usageBars(result.report);
  const span = `by ${groupBy}, ${range.from} to ${range.to} (UTC)`;
  return (
    <div class="usage-page">
      <form class="usage-controls" onSubmit={(event) => event.preventDefault()}>
        <label class="field">
          From
          <input type="date" name="from" value={range.from} max={range.to} required onChange={(event) => event.currentTarget.value !== '' && setRange({ ...range, from: event.currentTarget.value })} />
        </label>
        <label class="field">
          To
          <input type="date" name="to" value={range.to} min={range.from} required onChange={(event) => event.currentTarget.value !== '' && setRange({ ...range, to: event.currentTarget.value })} />
        </label>
        <label class="field">
          Group by
          <select name="group-by" value={groupBy} onChange={(event) => setGroupBy(event.currentTarget.value as UsageGroupBy)}>
            {GROUPS.map((group) => (
              <option key={group.value} value={group.value}>
                {group.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setRefreshes((now) => now + 1)}>
          Refresh
        </button>
      </form>
      <ErrorNote message={error} />
      {result !== undefined && shaped !== undefined && (
        <>
          <p class="usage-scope">
            {result.scope === 'all' ? "Every key's usage (admin key)." : "This key's own usage. Enter the admin key in the API key field to see every key's."}
          </p>
          {result.report.total.unreported_requests > 0 && (
            <p class="usage-unreported">
              {result.report.total.unreported_requests} {result.report.total.unreported_requests === 1 ? 'request' : 'requests'} without usage: their tokens are unknown, so
              they add nothing to the tokens and cost below.
            </p>
          )}
          <div class="usage-charts">
            <BarChart
              title={`Tokens ${span}`}
              description="Prompt and completion tokens stacked, one bar per group; the table below holds the numbers."
              series={['Prompt tokens', 'Completion tokens']}
              bars={shaped.bars.map((bar) => ({ label: bar.label, values: [bar.promptTokens, bar.completionTokens] }))}
              format={(value) => count.format(value)}
              shortLabel={shortLabel}
            />
            <BarChart
              title={shaped.currency === undefined ? `Cost ${span}: no priced model was used` : `Cost in ${shaped.currency} ${span}`}
              description="The cost at the catalog prices, one bar per group; the table below holds the numbers."
              series={[shaped.currency === undefined ? 'Cost (no priced model was used)' : `Cost (${shaped.currency})`]}
              bars={shaped.bars.map((bar) => ({ label: bar.label, values: [bar.cost] }))}
              format={(value) => formatMoney(value, undefined)}
              shortLabel={shortLabel}
            />
          </div>
          <UsageTable report={result.report} />
        </>
      )}
    </div>
  );
}
