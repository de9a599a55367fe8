// The flags of `studio keys create` and `keys update` that set a key's limits and expiry, read into the store's terms.
import { Option, type Command } from 'commander';
import { ConfigError } from '../config/load-options.js';
import type { BudgetPeriod, KeyLimits } from '../core/store.js';

export interface LimitFlags {
  readonly rpm?: string;
  readonly tpm?: string;
  readonly concurrency?: string;
  readonly budget?: string;
  readonly budgetPeriod?: BudgetPeriod;
  readonly models?: string;
  readonly expires?: string;
}

/** The value of a limit flag that removes the limit. */
const NONE = 'none';

export function addLimitFlags(command: Command): Command {
  return command
    .option('--rpm <n>', 'requests per minute (none: no limit)')
    .option('--tpm <n>', 'tokens per minute, prompt and max_tokens reserved at admission (none: no limit)')
    .option('--concurrency <n>', 'requests open at once (none: no limit)')
    .option('--budget <amount>', "what the key may spend per budget period, in the catalog prices' currency (none: no budget)")
    .addOption(new Option('--budget-period <period>', 'the period a budget is spent over, in UTC; weeks start on Monday (default: month)').choices(['day', 'week', 'month']))
    .option('--models <names>', 'the only models the key may use, comma-separated (none: any model)')
    .option('--expires <when>', 'when the key stops working: a date or time (2027-01-31, 2027-01-31T18:00Z) or a span from now (45m, 12h, 90d, 2w); never: no expiry');
}

function count(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new ConfigError(`--${flag} takes a whole number of at least 1, or ${NONE}; got '${text}'.`);
  return value;
}

function amount(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new ConfigError(`--budget takes an amount above 0, or ${NONE}; got '${text}'.`);
  return value;
}

function modelList(text: string): string[] {
  const models = text.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (models.length === 0) throw new ConfigError(`--models takes model names separated by commas, or ${NONE}.`);
  return models;
}

function budgetFrom(flags: LimitFlags, current: KeyLimits['budget']): KeyLimits['budget'] | null {
  if (flags.budget === NONE) return null;
  if (flags.budget !== undefined) return { amount: amount(flags.budget), period: flags.budgetPeriod ?? current?.period ?? 'month' };
  if (flags.budgetPeriod === undefined) return current;
  if (current === undefined) throw new ConfigError('--budget-period needs a --budget for the key.');
  return { ...current, period: flags.budgetPeriod };
}

/** `current` with the flags applied: a flag given replaces its limit, `none` removes it, a flag left out keeps it. */
export function limitsFromFlags(flags: LimitFlags, current: KeyLimits = {}): KeyLimits {
  const change: Record<keyof KeyLimits, unknown> = {
    rpm: flags.rpm === undefined ? undefined : flags.rpm === NONE ? null : count('rpm', flags.rpm),
    tpm: flags.tpm === undefined ? undefined : flags.tpm === NONE ? null : count('tpm', flags.tpm),
    concurrency: flags.concurrency === undefined ? undefined : flags.concurrency === NONE ? null : count('concurrency', flags.concurrency),
    budget: budgetFrom(flags, current.budget),
    models: flags.models === undefined ? undefined : flags.models === NONE ? null : modelList(flags.models),
  };
  const limits: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(change)) {
    if (value === null) delete limits[field];
    else if (value !== undefined) limits[field] = value;
  }
  return limits as KeyLimits;
}

const SPAN_UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The expiry `--expires` sets: a time, `null` for never, undefined when the flag is left out. */
export function expiryFromFlags({ expires }: LimitFlags, now: Date = new Date()): Date | null | undefined {
  if (expires === undefined) return undefined;
  if (expires === 'never') return null;
  const span = /^(\d+)([mhdw])$/.exec(expires);
  const at = span === null ? new Date(expires) : new Date(now.getTime() + Number(span[1]) * (SPAN_UNIT_MS[span[2] as string] as number));
  if (Number.isNaN(at.getTime())) throw new ConfigError(`--expires takes a date or time such as 2027-01-31 or 2027-01-31T18:00Z, a span such as 90d, or never; got '${expires}'.`);
  if (at.getTime() <= now.getTime()) throw new ConfigError(`--expires ${expires} is in the past; to stop a key now, revoke it.`);
  return at;
}
