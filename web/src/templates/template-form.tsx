// One template's variables as a form, the prompt they make, and the buttons that open it in Chat or Compare.
import { useState } from 'preact/hooks';
import { ErrorNote } from '../error-note.js';
import { openPrompt } from '../open-prompt.js';
import { fillTemplate, templateFields } from './fill-template.js';
import type { PromptTemplate } from './prompt-template.js';

interface Props {
  readonly template: PromptTemplate;
  /** Only for the user's own templates. */
  readonly onDelete?: () => void;
}

export function TemplateForm({ template, onDelete }: Props) {
  const [values, setValues] = useState<Record<string, string>>(() => ({ ...template.examples }));
  const fields = templateFields(template.system, template.user);
  const system = fillTemplate(template.system, values);
  const user = fillTemplate(template.user, values);
  const missing = [...new Set([...system.missing, ...user.missing])];
  const open = (path: string) => openPrompt({ ...(system.text.trim() === '' ? {} : { system: system.text }), user: user.text }, path);

  return (
    <section class="template-form" aria-label={template.title}>
      <h2>{template.title}</h2>
      <p class="hint">{template.description}</p>
      {fields.map((name) => (
        <label class="field" key={name}>
          <span>{name}</span>
          <textarea
            name={`field-${name}`}
            rows={(values[name] ?? '').includes('\n') ? 8 : 2}
            value={values[name] ?? ''}
            onInput={(event) => setValues({ ...values, [name]: event.currentTarget.value })}
          />
        </label>
      ))}
      <h3>Prompt</h3>
      {system.text !== '' && (
        <>
          <p class="prompt-role">System</p>
          <pre class="prompt-preview" data-role="system">{system.text}</pre>
        </>
      )}
      <p class="prompt-role">User</p>
      <pre class="prompt-preview" data-role="user">{user.text}</pre>
      <ErrorNote message={missing.length > 0 ? `Fill in ${missing.join(', ')} first.` : undefined} />
      <div class="template-actions">
        {onDelete !== undefined && (
          <button type="button" onClick={onDelete}>
            Delete this template
          </button>
        )}
        <button type="button" onClick={() => open('/compare')} disabled={missing.length > 0}>
          Open in Compare
        </button>
        <button type="button" class="primary" onClick={() => open('/')} disabled={missing.length > 0}>
          Open in Chat
        </button>
      </div>
    </section>
  );
}
