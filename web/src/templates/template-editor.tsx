// The form that makes a template of the user's own, saved in this browser.
import { useState } from 'preact/hooks';
import { templateFields } from './fill-template.js';
import type { PromptTemplate } from './prompt-template.js';

interface Props {
  readonly onSave: (template: PromptTemplate) => void;
  readonly onCancel: () => void;
}

export function TemplateEditor({ onSave, onCancel }: Props) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [system, setSystem] = useState('');
  const [user, setUser] = useState('');
  const fields = templateFields(system, user);

  return (
    <form
      class="template-form"
      aria-label="New template"
      onSubmit={(event) => {
        event.preventDefault();
        onSave({ id: `own-${Date.now().toString(36)}`, title: title.trim(), description: description.trim(), system, user, examples: {} });
      }}
    >
      <h2>New template</h2>
      <p class="hint">
        Write {'{{name}}'} where a value goes; {'\\{{'} keeps the braces as they are. Your templates are kept in this browser (localStorage), not on the server:
        Studio has no API for templates yet.
      </p>
      <label class="field">
        <span>Title</span>
        <input name="template-title" required value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Description</span>
        <input name="template-description" value={description} onInput={(event) => setDescription(event.currentTarget.value)} />
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
        <button type="submit" class="primary" disabled={title.trim() === '' || user.trim() === ''}>
          Save template
        </button>
      </div>
    </form>
  );
}
