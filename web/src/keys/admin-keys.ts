// The admin API's keys (`/admin/v1/keys`): list, create (the secret comes back this once), change limits, revoke.
import { studioFetch } from '../api/studio-fetch.js';

export type BudgetPeriod = 'day' | 'week' | 'month';

export interface KeyLimits {
  readonly rpm?: number;
  readonly tpm?: number;
  readonly concurrency?: number;
  readonly budget?: { readonly amount: number; readonly period: BudgetPeriod };
  readonly models?: readonly string[];
}

export interface AdminKey {
  readonly id: string;
  readonly name: string;
  /** `sk-` and the secret's first characters: enough to tell keys apart, never the secret. */
  readonly prefix: string;
  readonly state: 'active' | 'expired' | 'revoked';
  readonly limits: KeyLimits;
  /** Unix seconds. */
  readonly created_at: number;
  readonly expires_at: number | null;
  readonly revoked_at: number | null;
  readonly last_used_at: number | null;
}

/** What create and update send; `null` removes a limit or the expiry on update. */
export interface KeyChange {
  readonly name?: string;
  readonly limits?: Record<string, unknown>;
  readonly expires_at?: string | null;
}

function send(method: string, path: string, key: string, body?: KeyChange): Promise<Response> {
  return studioFetch(path, key, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
}

export async function listKeys(key: string, signal: AbortSignal): Promise<AdminKey[]> {
  const response = await studioFetch('admin/v1/keys', key, { signal });
  return ((await response.json()) as { data: AdminKey[] }).data;
}

export async function createKey(key: string, change: KeyChange): Promise<AdminKey & { readonly key: string }> {
  return (await (await send('POST', 'admin/v1/keys', key, change)).json()) as AdminKey & { key: string };
}

export async function updateKey(key: string, id: string, change: KeyChange): Promise<AdminKey> {
  return (await (await send('PATCH', `admin/v1/keys/${encodeURIComponent(id)}`, key, change)).json()) as AdminKey;
}

export async function revokeKey(key: string, id: string): Promise<AdminKey> {
  return (await (await send('DELETE', `admin/v1/keys/${encodeURIComponent(id)}`, key)).json()) as AdminKey;
}
