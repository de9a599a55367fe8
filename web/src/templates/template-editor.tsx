// The form that makes a template of the user's own, saved in Studio's store for the user's API key.
import { useState } from 'preact/hooks';
import { templateFields } from './fill-template.js';
import type { PromptTemplate } from './prompt-template.js';

interface Props {
  /** Saving over a template of the same title replaces it. */
  readonly onSave: (draft: Pick<PromptTemplate, 'title' | 'system' | 'user'>) => Promise<void>;
  readonly onCancel: () => void;
}

export function TemplateEditor({ onSave, onCancel }: Props) {
  const [title, setTitle] = useState('');
  const [saving, setSaving] = useState(false);
  const [system, setSystem] = useState('');
  const [user, setUser] = useState('');
  const fields = templateFields(system, user);

  return (
    <form
      class="template-form"
      aria-label="New template"
      onSubmit={(event) => {
        event.preventDefault();
        setSaving(true);
        void onSave({ title: title.trim(), system, user }).finally(() => setSaving(false));
      }}
    >
      <h2>New template</h2>
      <p class="hint">
        Write {'{{name}}'} where a value goes; {'\\{{'} keeps the braces as they are. Your templates are kept on the server, for your API key;
        saving under a title you have used replaces that template.
      </p>
      <label class="field">
        <span>Title</span>
        <input name="template-title" required maxLength={100} value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
      </label>
      <label class="field">
        <span>System prompt</span>
        <textarea name="template-system" rows={2} value={system} onInput={(event) => setSystem(event.currentTarget.value)} />
      </label>
      <label class="field">
        <span>User message</span>
        <textarea name="template-user" rows={6} required value={user} onInput={(event) => setUser(event.currentTarget.value)} />
      </label>
      <p class="hint">Variables: {fields.length === 0 ? 'none yet' : fields.join(', ')}</p>
      <div class="template-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={saving || title.trim() === '' || user.trim() === ''}>
          Save template
        </button>
      </div>
    </form>
  );
}
