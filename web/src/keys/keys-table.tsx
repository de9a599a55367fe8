// Every key with its prefix, state, limits, spend this period and last use; buttons to change its limits or revoke it (after a confirmation).
import { useState } from 'preact/hooks';
import { formatMoney } from '../usage/format-money.js';
import type { AdminKey } from './admin-keys.js';
import { limitsText } from './key-form.js';
import type { Spend } from './key-spend.js';

interface Props {
  readonly keys: readonly AdminKey[];
  readonly spends: ReadonlyMap<string, Spend>;
  readonly onEdit: (key: AdminKey) => void;
  readonly onRevoke: (key: AdminKey) => Promise<void>;
}

function timeText(seconds: number | null, none: string): string {
  return seconds === null ? none : `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function spendText(spend: Spend | undefined, key: AdminKey): string {
  if (spend === undefined) return '—';
  const budget = key.limits.budget === undefined ? '' : ` of ${formatMoney(key.limits.budget.amount, spend.currency)}`;
  return `${formatMoney(spend.amount, key.limits.budget === undefined ? spend.currency : null)}${budget} this ${spend.period}`;
}

export function KeysTable({ keys, spends, onEdit, onRevoke }: Props) {
  const [confirming, setConfirming] = useState<string>();
  return (
    <div class="table-scroll">
      <table class="keys-table">
        <caption>API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">State</th>
            <th scope="col">Limits</th>
            <th scope="col">Spend</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.length === 0 && (
            <tr>
              <td colSpan={8}>No keys yet: create one below.</td>
            </tr>
          )}
          {keys.map((key) => (
            <tr key={key.id} class={`key-${key.state}`}>
              <th scope="row">{key.name}</th>
              <td>
                <code>{key.prefix}…</code>
              </td>
              <td>{key.state}</td>
              <td class="key-limits">{limitsText(key.limits)}</td>
              <td>{spendText(spends.get(key.id), key)}</td>
              <td>{timeText(key.last_used_at, 'never')}</td>
              <td>{timeText(key.expires_at, 'never')}</td>
              <td class="key-actions">
                {key.state !== 'revoked' && confirming !== key.id && (
                  <>
                    <button type="button" class="small" aria-label={`Change the limits of ${key.name}`} onClick={() => onEdit(key)}>
                      Limits
                    </button>
                    <button type="button" class="small" aria-label={`Revoke ${key.name}`} onClick={() => setConfirming(key.id)}>
                      Revoke
                    </button>
                  </>
                )}
                {confirming === key.id && (
                  <span role="group" aria-label={`Confirm revoking ${key.name}`}>
                    Revoke for good?{' '}
                    <button type="button" class="small stop" onClick={() => void onRevoke(key).finally(() => setConfirming(undefined))}>
                      Yes, revoke {key.name}
                    </button>{' '}
                    <button type="button" class="small" onClick={() => setConfirming(undefined)}>
                      Keep it
                    </button>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
