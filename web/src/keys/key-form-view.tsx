// The form to create a key or change one's limits: name, rpm, tpm, concurrency, budget and its period, models, expiry.
import { useState } from 'preact/hooks';
import { ErrorNote } from '../error-note.js';
import type { BudgetPeriod, KeyChange } from './admin-keys.js';
import { InvalidKeyForm, keyChange, type KeyForm } from './key-form.js';

interface Props {
  readonly heading: string;
  readonly initial: KeyForm;
  /** Editing an existing key: its name is fixed, and emptied limits are removed. */
  readonly editing: boolean;
  readonly submitLabel: string;
  /** Resolves once done; a rejection's message is shown under the form. */
  readonly onSubmit: (change: KeyChange) => Promise<void>;
  readonly onCancel?: () => void;
}

const COUNTS = [
  ['rpm', 'Requests per minute'],
  ['tpm', 'Tokens per minute'],
  ['concurrency', 'Concurrency'],
] as const;

export function KeyFormView({ heading, initial, editing, submitLabel, onSubmit, onCancel }: Props) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<KeyForm>) => setForm((now) => ({ ...now, ...change }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    let change: KeyChange;
    try {
      change = keyChange(form, editing ? initial : undefined);
    } catch (failure) {
      if (!(failure instanceof InvalidKeyForm)) throw failure;
      setError(failure.message);
      return;
    }
    setBusy(true);
    try {
      await onSubmit(change);
      if (!editing) setForm(initial);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="key-form" aria-label={heading} onSubmit={(event) => void submit(event)}>
      <h2>{heading}</h2>
      <div class="key-form-fields">
        <label class="field">
          Name
          <input name="key-name" required={!editing} disabled={editing} value={form.name} onInput={(event) => set({ name: event.currentTarget.value })} />
        </label>
        {COUNTS.map(([field, label]) => (
          <label class="field" key={field}>
            {label}
            <input name={field} type="number" min="1" step="1" placeholder="no limit" value={form[field]} onInput={(event) => set({ [field]: event.currentTarget.value })} />
          </label>
        ))}
        <label class="field">
          Budget
          <input name="budget" type="number" min="0" step="any" placeholder="no budget" value={form.budget} onInput={(event) => set({ budget: event.currentTarget.value })} />
        </label>
        <label class="field">
          Budget period
          <select name="period" value={form.period} onChange={(event) => set({ period: event.currentTarget.value as BudgetPeriod })}>
            <option value="day">day</option>
            <option value="week">week</option>
            <option value="month">month</option>
          </select>
        </label>
        <label class="field">
          Models
          <input name="models" placeholder="all; or names, comma-separated" value={form.models} onInput={(event) => set({ models: event.currentTarget.value })} />
        </label>
        <label class="field">
          Expires (UTC day)
          <input name="expires" type="date" value={form.expires} onInput={(event) => set({ expires: event.currentTarget.value })} />
        </label>
      </div>
      <ErrorNote message={error} />
      <div class="key-form-actions">
        {onCancel !== undefined && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
