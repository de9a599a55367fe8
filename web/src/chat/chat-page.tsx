// The Chat page: pick a model and parameters, talk to it in several turns, see each reply's speed, tokens and cost.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useModels } from '../api/use-models.js';
import { CodeView } from '../code/code-view.js';
import { ErrorNote } from '../error-note.js';
import { takePendingPrompt } from '../open-prompt.js';
import { buildChatBody, InvalidSetting, type ChatSettings } from './chat-body.js';
import { entryTurns, type AssistantEntry, type ChatEntry } from './chat-entry.js';
import { Composer } from './composer.js';
import { MessageView } from './message-view.js';
import { loadSettings, saveSettings } from './saved-settings.js';
import { SettingsPanel } from './settings-panel.js';
import { startEntry, streamEntry } from './stream-entry.js';

interface Props {
  readonly apiKey: string;
  /** Grows when the server comes back: the model list is fetched again. */
  readonly reconnections: number;
  readonly onUnreachable: () => void;
}

let nextId = 0;

export function ChatPage({ apiKey, reconnections, onUnreachable }: Props) {
  const { models, error: modelsError } = useModels(apiKey, reconnections, onUnreachable);
  // A template opened in Chat: its system prompt replaces the saved one, its message waits in the box.
  const [opened] = useState(takePendingPrompt);
  const [settings, setSettings] = useState<ChatSettings>(() => ({ ...loadSettings(), ...(opened?.system === undefined ? {} : { systemPrompt: opened.system }) }));
  const [entries, setEntries] = useState<ChatEntry[]>([]);
  const [draft, setDraft] = useState(opened?.user ?? '');
  const [editing, setEditing] = useState<number>();
  const [notice, setNotice] = useState<string>();
  const [showCode, setShowCode] = useState(false);
  const controller = useRef<AbortController | undefined>(undefined);
  const busy = entries.some((entry) => entry.role === 'assistant' && entry.status === 'streaming');
  const wide = useRef(window.matchMedia('(min-width: 900px)').matches);
  const endOfConversation = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (models.length > 0) setSettings((now) => (models.some((model) => model.id === now.model) ? now : { ...now, model: models[0]?.id ?? '' }));
  }, [models]);

  useEffect(() => saveSettings(settings), [settings]);
  useEffect(() => endOfConversation.current?.scrollIntoView({ block: 'end' }), [entries]);
  // Leaving the page stops the reply being written.
  useEffect(() => () => controller.current?.abort(), []);

  const update = (id: number, change: Partial<AssistantEntry>) =>
    setEntries((now) => now.map((entry) => (entry.id === id && entry.role === 'assistant' ? { ...entry, ...change } : entry)));

  /** Asks for a reply to `history`, which ends with the user's message. */
  const run = async (history: ChatEntry[]) => {
    let body: Record<string, unknown>;
    try {
      body = buildChatBody(settings, entryTurns(history), models);
    } catch (error) {
      if (!(error instanceof InvalidSetting)) throw error;
      setNotice(error.message);
      return false;
    }
    setNotice(undefined);
    const entry = startEntry(nextId++, settings, models, body);
    setEntries([...history, entry]);
    const abort = new AbortController();
    controller.current = abort;
    await streamEntry(body, apiKey, abort.signal, (change) => update(entry.id, change), onUnreachable);
    return true;
  };

  const send = () => {
    const text = draft.trim();
    if (text === '' || busy) return;
    const kept = editing === undefined ? entries : entries.slice(0, entries.findIndex((entry) => entry.id === editing));
    setDraft('');
    setEditing(undefined);
    void run([...kept, { id: nextId++, role: 'user', content: text }]).then((sent) => {
      if (!sent) setDraft(text);
    });
  };

  const regenerate = () => {
    const last = entries.at(-1);
    if (last?.role === 'assistant') void run(entries.slice(0, -1));
  };

  return (
    <div class="chat-layout">
      <details class="settings" open={wide.current}>
        <summary>Model and parameters</summary>
        <SettingsPanel settings={settings} onChange={setSettings} models={models} modelsError={modelsError} />
      </details>
      <section class="conversation" aria-label="Conversation">
        <div class="messages">
          {entries.length === 0 && <p class="empty">Pick a model, write a message and press Enter.</p>}
          {entries.map((entry, index) => (
            <MessageView
              key={entry.id}
              entry={entry}
              busy={busy}
              isLast={index === entries.length - 1}
              onEdit={() => {
                if (entry.role !== 'user') return;
                setEditing(entry.id);
                setDraft(entry.content);
              }}
              onRegenerate={regenerate}
            />
          ))}
          <div ref={endOfConversation} />
        </div>
        {showCode ? (
          <CodeView settings={settings} models={models} turns={[...entryTurns(entries), ...(draft.trim() === '' ? [] : [{ role: 'user' as const, content: draft }])]} onClose={() => setShowCode(false)} />
        ) : (
          <button type="button" class="view-code" onClick={() => setShowCode(true)}>
            View code
          </button>
        )}
        <ErrorNote message={notice} />
        <Composer
          draft={draft}
          onDraft={setDraft}
          onSend={send}
          onStop={() => controller.current?.abort()}
          onClear={() => {
            setEntries([]);
            setEditing(undefined);
          }}
          busy={busy}
          onCancelEdit={
            editing === undefined
              ? undefined
              : () => {
                  setEditing(undefined);
                  setDraft('');
                }
          }
        />
      </section>
    </div>
  );
}
