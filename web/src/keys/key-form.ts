// The keys page's form as typed (strings), checked and turned into the admin API's create or update body; and a key's limits in words.
import type { AdminKey, BudgetPeriod, KeyChange, KeyLimits } from './admin-keys.js';

export interface KeyForm {
  readonly name: string;
  readonly rpm: string;
  readonly tpm: string;
  readonly concurrency: string;
  readonly budget: string;
  readonly period: BudgetPeriod;
  /** Comma-separated model names; empty: every model. */
  readonly models: string;
  /** A UTC day, YYYY-MM-DD, as a date input gives it; empty: never. */
  readonly expires: string;
}

export const EMPTY_KEY_FORM: KeyForm = { name: '', rpm: '', tpm: '', concurrency: '', budget: '', period: 'month', models: '', expires: '' };

/** A field that does not hold what it must; its message names the field. */
export class InvalidKeyForm extends Error {}

const COUNT_LABELS = { rpm: 'Requests per minute', tpm: 'Tokens per minute', concurrency: 'Concurrency' } as const;

function whole(field: keyof typeof COUNT_LABELS, text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidKeyForm(`${COUNT_LABELS[field]} must be a whole number of at least 1, or empty for no limit.`);
  return value;
}

function limitsOf(form: KeyForm): KeyLimits {
  const budget = form.budget.trim() === '' ? undefined : Number(form.budget);
  if (budget !== undefined && !(Number.isFinite(budget) && budget > 0)) throw new InvalidKeyForm('Budget must be an amount above 0, or empty for no budget.');
  const models = form.models.split(',').map((model) => model.trim()).filter((model) => model !== '');
  return {
    rpm: whole('rpm', form.rpm),
    tpm: whole('tpm', form.tpm),
    concurrency: whole('concurrency', form.concurrency),
    budget: budget === undefined ? undefined : { amount: budget, period: form.period },
    models: models.length === 0 ? undefined : models,
  };
}

/**
 * The body for a new key, or, given the form as it was opened (`initial`), for an update: there an empty
 * limit is `null` (removed), and the expiry is sent only when it was changed, so a time of day set
 * elsewhere is not cut to the day.
 */
export function keyChange(form: KeyForm, initial?: KeyForm): KeyChange {
  const limits = limitsOf(form);
  if (initial === undefined) {
    if (form.name.trim() === '') throw new InvalidKeyForm('A key needs a name.');
    return { name: form.name.trim(), limits: { ...limits }, ...(form.expires === '' ? {} : { expires_at: form.expires }) };
  }
  const removable = Object.fromEntries(Object.entries(limits).map(([field, value]) => [field, value ?? null]));
  return { limits: removable, ...(form.expires === initial.expires ? {} : { expires_at: form.expires === '' ? null : form.expires }) };
}

const text = (value: number | undefined): string => (value === undefined ? '' : String(value));

/** The form opened on a key, to change its limits. */
export function keyForm(key: AdminKey): KeyForm {
  const { limits } = key;
  return {
    name: key.name,
    rpm: text(limits.rpm),
    tpm: text(limits.tpm),
    concurrency: text(limits.concurrency),
    budget: text(limits.budget?.amount),
    period: limits.budget?.period ?? 'month',
    models: (limits.models ?? []).join(', '),
    expires: key.expires_at === null ? '' : new Date(key.expires_at * 1000).toISOString().slice(0, 10),
  };
}

const count = new Intl.NumberFormat('en');

/** As `studio keys list` writes them: "60 rpm, 100,000 tpm, 4 at once, 20 per month, models a, b", or "none". */
export function limitsText(limits: KeyLimits): string {
  const parts = [
    ...(limits.rpm === undefined ? [] : [`${count.format(limits.rpm)} rpm`]),
    ...(limits.tpm === undefined ? [] : [`${count.format(limits.tpm)} tpm`]),
    ...(limits.concurrency === undefined ? [] : [`${count.format(limits.concurrency)} at once`]),
    ...(limits.budget === undefined ? [] : [`${limits.budget.amount} per ${limits.budget.period}`]),
    ...(limits.models === undefined ? [] : [`models ${limits.models.join(', ')}`]),
  ];
  return parts.length === 0 ? 'none' : parts.join(', ');
}
