// The Keys page, for the admin: list keys, create one (its secret shown once), change a key's limits, revoke it.
import { useEffect, useState } from 'preact/hooks';
import { RequestFailed } from '../api/studio-fetch.js';
import { ErrorNote } from '../error-note.js';
import { createKey, listKeys, revokeKey, updateKey, type AdminKey } from './admin-keys.js';
import { EMPTY_KEY_FORM, keyForm } from './key-form.js';
import { KeyFormView } from './key-form-view.js';
import { readSpend, type Spend } from './key-spend.js';
import { KeysTable } from './keys-table.js';
import { NewKeySecret } from './new-key-secret.js';
import './keys.css';

interface Props {
  readonly apiKey: string;
  readonly reconnections: number;
  readonly onUnreachable: () => void;
}

const ADMIN_NEEDED = 'Managing keys needs the admin key, the one Studio was started with as --admin-key (STUDIO_ADMIN_KEY).';

/** A refused key: this page takes the admin key, and says so before why the key was refused. */
function failureText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof RequestFailed)) return message;
  if (error.status === 403) return `${ADMIN_NEEDED} This key is not it, or Studio was started without one: enter the admin key in the API key field.`;
  if (error.status === 401) return `${ADMIN_NEEDED} ${message}`;
  return message;
}

export function KeysPage({ apiKey, reconnections, onUnreachable }: Props) {
  const [keys, setKeys] = useState<AdminKey[]>();
  const [spends, setSpends] = useState<ReadonlyMap<string, Spend>>(new Map());
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<{ name: string; secret: string }>();
  const [editing, setEditing] = useState<AdminKey>();
  const [changes, setChanges] = useState(0);
  const reload = () => setChanges((now) => now + 1);

  useEffect(() => {
    const request = new AbortController();
    const load = async () => {
      const list = await listKeys(apiKey, request.signal);
      setKeys(list);
      setError(undefined);
      setSpends(await readSpend(apiKey, list, new Date(), request.signal));
    };
    load().catch((failure: unknown) => {
      if (request.signal.aborted) return;
      if (failure instanceof RequestFailed && (failure.status === 401 || failure.status === 403)) setKeys(undefined);
      setError(failureText(failure));
      if (failure instanceof RequestFailed && failure.status === undefined) onUnreachable();
    });
    return () => request.abort();
  }, [apiKey, changes, reconnections, onUnreachable]);

  /** Runs a change, then lists the keys again; a failure is thrown on as readable text for the form that asked. */
  const change = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (failure) {
      throw new Error(failureText(failure));
    } finally {
      reload();
    }
  };

  return (
    <div class="keys-page">
      <ErrorNote message={error} />
      {created !== undefined && <NewKeySecret name={created.name} secret={created.secret} onDone={() => setCreated(undefined)} />}
      {keys !== undefined && (
        <>
          <KeysTable
            keys={keys}
            spends={spends}
            onEdit={setEditing}
            onRevoke={(key) => change(async () => void (await revokeKey(apiKey, key.id))).catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))}
          />
          {editing !== undefined && (
            <KeyFormView
              key={editing.id}
              heading={`Limits of ${editing.name}`}
              initial={keyForm(editing)}
              editing
              submitLabel="Save limits"
              onSubmit={(body) => change(async () => {
                await updateKey(apiKey, editing.id, body);
                setEditing(undefined);
              })}
              onCancel={() => setEditing(undefined)}
            />
          )}
          <KeyFormView
            heading="Create a key"
            initial={EMPTY_KEY_FORM}
            editing={false}
            submitLabel="Create key"
            onSubmit={(body) => change(async () => {
              const made = await createKey(apiKey, body);
              setCreated({ name: made.name, secret: made.key });
            })}
          />
        </>
      )}
    </div>
  );
}
