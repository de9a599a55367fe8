// `studio usage`: what was used and what it cost, by day, model or key, read from the store directly.
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { ConfigError } from '../config/load-options.js';
import { loadStoreClientOptions, storeClientOptions } from '../config/store-client-options.js';
import { InvalidRequestError } from '../core/errors.js';
import type { UsageRow } from '../core/store.js';
import { foldUnpriced, usageJson, usageQuery, usageTotals, type UsageQuery } from '../core/usage-report.js';
import { addOptionFlags } from './option-flags.js';
import { storeModule } from './store-module.js';

const integer = new Intl.NumberFormat('en-US');
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 });

function costText(costs: Readonly<Record<string, number>>): string {
  const entries = Object.entries(costs);
  return entries.length === 0 ? '-' : entries.map(([currency, amount]) => `${money.format(amount)} ${currency}`).join(', ');
}

function usageTable(query: UsageQuery, rows: readonly UsageRow[]): string {
  const table = new Table({
    head: [query.groupBy, 'requests', 'without usage', 'prompt', 'cached', 'completion', 'reasoning', 'total tokens', 'cost'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  const cells = (row: Omit<UsageRow, 'group' | 'cost' | 'currency'>): string[] =>
    [row.requests, row.unreportedRequests, row.promptTokens, row.cachedTokens, row.completionTokens, row.reasoningTokens, row.promptTokens + row.completionTokens].map((n) => integer.format(n));
  for (const row of rows) table.push([row.group, ...cells(row), costText(row.currency === undefined ? {} : { [row.currency]: row.cost })]);
  const totals = usageTotals(rows);
  table.push(['total', ...cells(totals), costText(totals.cost)]);
  const note = totals.unreportedRequests === 0 ? '' : `\n${integer.format(totals.unreportedRequests)} request${totals.unreportedRequests === 1 ? '' : 's'} without usage: the engine reported no token counts (or the request was interrupted), so those tokens and their cost are not counted.`;
  return `Usage from ${query.from} to ${query.to} (UTC days)\n${table.toString()}${note}`;
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function usageCsv(rows: readonly UsageRow[]): string {
  const lines = [['group', 'requests', 'prompt_tokens', 'cached_tokens', 'completion_tokens', 'reasoning_tokens', 'total_tokens', 'unreported_requests', 'cost', 'currency']];
  for (const row of rows) {
    const fields = [row.group, row.requests, row.promptTokens, row.cachedTokens, row.completionTokens, row.reasoningTokens, row.promptTokens + row.completionTokens, row.unreportedRequests, row.cost, row.currency ?? ''];
    lines.push(fields.map(csvField));
  }
  return lines.map((line) => line.join(',')).join('\n');
}

export function usageCommand(): Command {
  const command = new Command('usage')
    .description('requests, tokens and cost from the usage ledger, by UTC day, model or key (reads the store; no server needed)')
    .addOption(new Option('--by <group>', 'what each row is').choices(['day', 'model', 'key']).default('day'))
    .option('--from <YYYY-MM-DD>', 'the first UTC day (default: the first of the current month)')
    .option('--to <YYYY-MM-DD>', 'the last UTC day (default: today)')
    .addOption(new Option('--format <format>', 'how to print it').choices(['table', 'csv', 'json']).default('table'));
  const readFlags = addOptionFlags(command, storeClientOptions);
  command.action(async (flags: { by: string; from?: string; to?: string; format: 'table' | 'csv' | 'json' }) => {
    const location = loadStoreClientOptions(readFlags(command));
    let query: UsageQuery;
    try {
      query = usageQuery({ from: flags.from, to: flags.to, groupBy: flags.by }, new Date(), '--by');
    } catch (error) {
      if (error instanceof InvalidRequestError) throw new ConfigError(error.message.replace(/^(from|to) /, '--$1 '));
      throw error;
    }
    const { openStore } = await storeModule();
    const store = await openStore({ ...location, instance: 'studio usage' });
    try {
      const rows = foldUnpriced(await store.usage.usage(query));
      const text = flags.format === 'json' ? JSON.stringify(usageJson(query, rows), null, 2) : flags.format === 'csv' ? usageCsv(rows) : usageTable(query, rows);
      process.stdout.write(`${text}\n`);
    } finally {
      await store.close();
    }
  });
  return command;
}
