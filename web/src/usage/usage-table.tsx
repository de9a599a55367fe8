// The usage numbers the chart draws, and more: a row per group (per currency where it spent in several), with totals.
import { formatMoney } from './format-money.js';
import type { UsageReport, UsageRow } from './usage-report.js';

const count = new Intl.NumberFormat('en');
const GROUP_HEADING = { day: 'Day (UTC)', model: 'Model', key: 'Key' } as const;

function Counts({ row, withoutUsage }: { row: Omit<UsageRow, 'group' | 'cost' | 'currency'>; withoutUsage: boolean }) {
  return (
    <>
      <td>{count.format(row.requests)}</td>
      <td>{count.format(row.prompt_tokens)}</td>
      <td>{count.format(row.cached_tokens)}</td>
      <td>{count.format(row.completion_tokens)}</td>
      <td>{count.format(row.reasoning_tokens)}</td>
      <td>{count.format(row.total_tokens)}</td>
      {withoutUsage && <td>{count.format(row.unreported_requests)}</td>}
    </>
  );
}

export function UsageTable({ report }: { report: UsageReport }) {
  const withoutUsage = report.total.unreported_requests > 0;
  const totalCost = Object.entries(report.total.cost);
  return (
    <div class="table-scroll">
      <table class="usage-table">
        <caption>
          Usage from {report.from} to {report.to} by {report.group_by}
        </caption>
        <thead>
          <tr>
            <th scope="col">{GROUP_HEADING[report.group_by]}</th>
            <th scope="col">Requests</th>
            <th scope="col">Prompt</th>
            <th scope="col">Cached</th>
            <th scope="col">Completion</th>
            <th scope="col">Reasoning</th>
            <th scope="col">Total tokens</th>
            {withoutUsage && <th scope="col">Without usage</th>}
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {report.data.length === 0 && (
            <tr>
              <td colSpan={withoutUsage ? 9 : 8}>No requests in this range.</td>
            </tr>
          )}
          {report.data.map((row) => (
            <tr key={`${row.group} ${row.currency ?? ''}`}>
              <th scope="row">{row.group}</th>
              <Counts row={row} withoutUsage={withoutUsage} />
              <td>{row.currency === null ? 'no price' : formatMoney(row.cost, row.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <Counts row={report.total} withoutUsage={withoutUsage} />
            <td>{totalCost.length === 0 ? 'no price' : totalCost.map(([currency, amount]) => formatMoney(amount, currency)).join(', ')}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
