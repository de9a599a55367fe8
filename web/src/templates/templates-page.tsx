// The prompt templates page: Model Studio's examples and the user's own, filled in a form and opened in Chat or Compare.
import { useState } from 'preact/hooks';
import { BUILTIN_TEMPLATES, type PromptTemplate } from './prompt-template.js';
import { loadSavedTemplates, storeSavedTemplates } from './saved-templates.js';
import { TemplateEditor } from './template-editor.js';
import { TemplateForm } from './template-form.js';

const NEW = 'new';

export function TemplatesPage() {
  const [own, setOwn] = useState<PromptTemplate[]>(loadSavedTemplates);
  const [chosen, setChosen] = useState<string>(BUILTIN_TEMPLATES[0]?.id ?? NEW);
  const template = [...BUILTIN_TEMPLATES, ...own].find((candidate) => candidate.id === chosen);

  const keep = (templates: PromptTemplate[]) => {
    storeSavedTemplates(templates);
    setOwn(templates);
  };

  const entry = (candidate: PromptTemplate) => (
    <li key={candidate.id}>
      <button type="button" class="template-choice" aria-current={candidate.id === chosen ? 'true' : undefined} onClick={() => setChosen(candidate.id)}>
        {candidate.title}
      </button>
    </li>
  );

  return (
    <div class="templates-layout">
      <nav class="template-list" aria-label="Templates">
        <h2>Templates</h2>
        <ul>{BUILTIN_TEMPLATES.map(entry)}</ul>
        <h2>Yours</h2>
        <p class="hint">Kept in this browser only.</p>
        <ul>{own.map(entry)}</ul>
        <button type="button" onClick={() => setChosen(NEW)}>
          New template
        </button>
      </nav>
      {template === undefined ? (
        <TemplateEditor
          onSave={(saved) => {
            keep([...own, saved]);
            setChosen(saved.id);
          }}
          onCancel={() => setChosen(BUILTIN_TEMPLATES[0]?.id ?? NEW)}
        />
      ) : (
        <TemplateForm
          key={template.id}
          template={template}
          onDelete={
            own.includes(template)
              ? () => {
                  keep(own.filter((candidate) => candidate !== template));
                  setChosen(BUILTIN_TEMPLATES[0]?.id ?? NEW);
                }
              : undefined
          }
        />
      )}
    </div>
  );
}
