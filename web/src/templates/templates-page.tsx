// The prompt templates page: Model Studio's examples and the user's own from Studio's store, filled in a form and opened in Chat or Compare.
import { useEffect, useState } from 'preact/hooks';
import { RequestFailed } from '../api/studio-fetch.js';
import { ErrorNote } from '../error-note.js';
import { BUILTIN_TEMPLATES, type PromptTemplate } from './prompt-template.js';
import { deleteSavedTemplate, importBrowserTemplates, loadSavedTemplates, saveTemplate } from './saved-templates.js';
import { TemplateEditor } from './template-editor.js';
import { TemplateForm } from './template-form.js';

interface Props {
  readonly apiKey: string;
  readonly reconnections: number;
  readonly onUnreachable: () => void;
}

const NEW = 'new';
const FIRST = BUILTIN_TEMPLATES[0]?.id ?? NEW;

export function TemplatesPage({ apiKey, reconnections, onUnreachable }: Props) {
  const [own, setOwn] = useState<PromptTemplate[]>([]);
  const [error, setError] = useState<string>();
  const [chosen, setChosen] = useState<string>(FIRST);
  const template = [...BUILTIN_TEMPLATES, ...own].find((candidate) => candidate.id === chosen);

  const fail = (failure: unknown) => {
    setError(failure instanceof Error ? failure.message : String(failure));
    if (failure instanceof RequestFailed && failure.status === undefined) onUnreachable();
  };

  useEffect(() => {
    const request = new AbortController();
    const load = async () => {
      const stored = await loadSavedTemplates(apiKey, request.signal);
      return (await importBrowserTemplates(apiKey, stored)) ? loadSavedTemplates(apiKey, request.signal) : stored;
    };
    load().then(
      (templates) => {
        setOwn(templates);
        setError(undefined);
      },
      (failure: unknown) => {
        if (!request.signal.aborted) fail(failure);
      },
    );
    return () => request.abort();
  }, [apiKey, reconnections, onUnreachable]);

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
        <p class="hint">Kept on the server, for your API key.</p>
        <ErrorNote message={error} />
        <ul>{own.map(entry)}</ul>
        <button type="button" onClick={() => setChosen(NEW)}>
          New template
        </button>
      </nav>
      {template === undefined ? (
        <TemplateEditor
          onSave={async (draft) => {
            try {
              const saved = await saveTemplate(apiKey, draft);
              setOwn([...own.filter(({ id }) => id !== saved.id), saved].sort((a, b) => a.title.localeCompare(b.title)));
              setError(undefined);
              setChosen(saved.id);
            } catch (failure) {
              fail(failure);
            }
          }}
          onCancel={() => setChosen(FIRST)}
        />
      ) : (
        <TemplateForm
          key={template.id}
          template={template}
          onDelete={
            own.includes(template)
              ? async () => {
                  try {
                    await deleteSavedTemplate(apiKey, template.id);
                    setOwn(own.filter((candidate) => candidate !== template));
                    setError(undefined);
                    setChosen(FIRST);
                  } catch (failure) {
                    fail(failure);
                  }
                }
              : undefined
          }
        />
      )}
    </div>
  );
}
