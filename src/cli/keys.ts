// `studio keys`: create, list, show, change and revoke stored API keys, in the store directly (no server needed).
import Table from 'cli-table3';
import { Command } from 'commander';
import { ConfigError } from '../config/load-options.js';
import { loadServerConfig } from '../config/server-config.js';
import { loadStoreClientOptions, storeClientOptions } from '../config/store-client-options.js';
import { keyNameProblem } from '../core/key-name.js';
import { keyState } from '../core/key-state.js';
import type { ApiKeyRecord, KeyLimits, Store } from '../core/store.js';
import { periodStart } from '../http/key-limits.js';
import { addLimitFlags, expiryFromFlags, limitsFromFlags, type LimitFlags } from './key-limit-flags.js';
import { addOptionFlags } from './option-flags.js';
import { storeModule } from './store-module.js';

const money = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const integer = new Intl.NumberFormat('en-US');

/** Runs `work` on the store the command's --data-dir / --database-url name, and closes it. */
async function withStore<T>(command: Command, readFlags: ReturnType<typeof addOptionFlags>, work: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await storeModule();
  const store = await openStore({ ...loadStoreClientOptions(readFlags(command)), instance: 'studio keys' });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The currency budgets are in: the catalog's, when all its prices share one. */
function catalogCurrency(): string {
  const currencies = new Set(loadServerConfig({}).models.flatMap((model) => (model.price === undefined ? [] : [model.price.currency])));
  return currencies.size === 1 ? ([...currencies][0] as string) : '';
}

function timeText(date: Date | undefined): string {
  return date === undefined ? '-' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function limitsText(limits: KeyLimits, currency: string): string {
  const parts = [
    ...(limits.rpm === undefined ? [] : [`${integer.format(limits.rpm)} rpm`]),
    ...(limits.tpm === undefined ? [] : [`${integer.format(limits.tpm)} tpm`]),
    ...(limits.concurrency === undefined ? [] : [`${limits.concurrency} at once`]),
    ...(limits.budget === undefined ? [] : [`${money.format(limits.budget.amount)}${currency === '' ? '' : ` ${currency}`} per ${limits.budget.period}`]),
    ...(limits.models === undefined ? [] : [`models: ${limits.models.join(', ')}`]),
  ];
  return parts.length === 0 ? 'none' : parts.join(', ');
}

function stateText(record: ApiKeyRecord): string {
  const state = keyState(record);
  if (state === 'revoked') return `revoked ${timeText(record.revokedAt)}`;
  if (state === 'expired') return `expired ${timeText(record.expiresAt)}`;
  return record.expiresAt === undefined ? 'active' : `active until ${timeText(record.expiresAt)}`;
}

/** What the key spent in its budget's period so far (this month, for a key without a budget). */
async function spendText(store: Store, record: ApiKeyRecord, currency: string, now: Date): Promise<string> {
  const period = record.limits.budget?.period ?? 'month';
  const spent = await store.usage.spend(record.id, periodStart(period, now));
  const unit = currency === '' ? '' : ` ${currency}`;
  const budget = record.limits.budget === undefined ? '' : ` of ${money.format(record.limits.budget.amount)}`;
  return `${money.format(spent)}${budget}${unit} this ${period}`;
}

function newTable(head?: string[]): Table.Table {
  return new Table({ ...(head === undefined ? {} : { head }), style: { head: [], border: [] } });
}

async function keyDetails(store: Store, record: ApiKeyRecord): Promise<string> {
  const currency = catalogCurrency();
  const table = newTable();
  table.push(
    { name: record.name },
    { id: record.id },
    { prefix: `sk-${record.prefix}…` },
    { state: stateText(record) },
    { limits: limitsText(record.limits, currency) },
    { spend: await spendText(store, record, currency, new Date()) },
    { created: timeText(record.createdAt) },
    { 'last used': record.lastUsedAt === undefined ? 'never' : timeText(record.lastUsedAt) },
  );
  return table.toString();
}

function checkName(name: string): string {
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw new ConfigError(problem);
  return name;
}

/** A subcommand that opens the store: --data-dir and --database-url as `studio serve` takes them. */
function storeCommand(name: string, description: string, action: (store: Store, ...args: never[]) => Promise<void>): Command {
  const command = new Command(name).description(description);
  const readFlags = addOptionFlags(command, storeClientOptions);
  command.action((...args: unknown[]) => withStore(command, readFlags, (store) => action(store, ...(args as never[]))));
  return command;
}

const print = (text: string): void => void process.stdout.write(`${text}\n`);

function createCommand(): Command {
  const command = storeCommand('create', 'create a key and print it, once', async (store, flags: LimitFlags & { name: string }) => {
    const limits = limitsFromFlags(flags);
    const expiresAt = expiryFromFlags(flags) ?? undefined;
    const { record, secret } = await store.keys.create({ name: checkName(flags.name), limits, expiresAt });
    // The key alone on stdout, so that `KEY=$(studio keys create --name ci)` holds just the key.
    print(secret);
    process.stderr.write(
      `Created key ${record.name} (${record.id}); limits: ${limitsText(record.limits, catalogCurrency())}${record.expiresAt === undefined ? '' : `; expires ${timeText(record.expiresAt)}`}.\n` +
        'This is the only time the key is shown: Studio keeps only its digest and cannot show it again. Store it somewhere safe now.\n',
    );
  });
  return addLimitFlags(command.requiredOption('--name <name>', 'a name for the key, unique among keys not revoked (letters, digits, . _ @ -)'));
}

function updateCommand(): Command {
  const command = storeCommand('update', "change a key's name, limits or expiry; a running server applies it within seconds", async (store, name: string, flags: LimitFlags & { name?: string }) => {
    const current = await store.keys.get(name);
    if (current === undefined) throw new ConfigError(`No key is named '${name}' (or has that id); studio keys list shows them.`);
    const record = await store.keys.update(current.id, {
      name: flags.name === undefined ? undefined : checkName(flags.name),
      limits: limitsFromFlags(flags, current.limits),
      expiresAt: expiryFromFlags(flags),
    });
    print(await keyDetails(store, record));
  });
  return addLimitFlags(command.argument('<key>', "the key's name or id").option('--name <new-name>', 'a new name for the key'));
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('manage the API keys clients send (reads and writes the store; no server needed)');
  keys.addCommand(createCommand());
  keys.addCommand(
    storeCommand('list', 'list every key: prefix, limits, spend this period, last use and state', async (store) => {
      const currency = catalogCurrency();
      const now = new Date();
      const table = newTable(['name', 'prefix', 'limits', 'spend', 'last used', 'state']);
      for (const record of await store.keys.list()) {
        table.push([record.name, `sk-${record.prefix}…`, limitsText(record.limits, currency), await spendText(store, record, currency, now), record.lastUsedAt === undefined ? 'never' : timeText(record.lastUsedAt), stateText(record)]);
      }
      print(table.toString());
    }),
  );
  keys.addCommand(
    storeCommand('show', 'show one key', async (store, name: string) => {
      const record = await store.keys.get(name);
      if (record === undefined) throw new ConfigError(`No key is named '${name}' (or has that id); studio keys list shows them.`);
      print(await keyDetails(store, record));
    }).argument('<key>', "the key's name or id"),
  );
  keys.addCommand(updateCommand());
  keys.addCommand(
    storeCommand('revoke', 'revoke a key for good; a running server refuses it within seconds', async (store, name: string) => {
      const record = await store.keys.revoke(name);
      print(`Revoked key ${record.name} (${record.id}): requests with it are refused with 401 from now on (within a few seconds on a running server).`);
    }).argument('<key>', "the key's name or id"),
  );
  return keys;
}
