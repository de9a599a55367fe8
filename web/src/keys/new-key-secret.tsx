// A new key's secret, shown this once with a copy button: Studio keeps only its digest and can never show it again.
import { useState } from 'preact/hooks';
import { copyText } from '../copy-text.js';

export function NewKeySecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <section class="new-key" aria-label={`New key ${name}`} role="alert">
      <h2>Key “{name}” created</h2>
      <p class="new-key-warning">Copy it now: this is the only time Studio shows it. It keeps only a digest and cannot show it again.</p>
      <div class="new-key-row">
        <label class="field">
          New key secret
          <input readOnly name="new-key-secret" value={secret} onFocus={(event) => event.currentTarget.select()} />
        </label>
        <button type="button" onClick={() => void copyText(secret).then(() => setCopied(true))}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          Done, hide it
        </button>
      </div>
    </section>
  );
}
