// One column of the Compare page: its model and parameters, and its own conversation with each reply's metrics.
import { useEffect, useRef } from 'preact/hooks';
import type { StudioModel } from '../api/models.js';
import type { ChatSettings } from '../chat/chat-body.js';
import { MessageView } from '../chat/message-view.js';
import { SettingsPanel } from '../chat/settings-panel.js';
import type { CompareColumn } from './compare-columns.js';

interface Props {
  readonly column: CompareColumn;
  /** 1-based, as the page names columns. */
  readonly number: number;
  readonly models: readonly StudioModel[];
  readonly modelsError: string | undefined;
  readonly busy: boolean;
  readonly onSettings: (settings: ChatSettings) => void;
  /** Absent while the page keeps its fewest columns. */
  readonly onRemove: (() => void) | undefined;
}

export function CompareColumnView({ column, number, models, modelsError, busy, onSettings, onRemove }: Props) {
  const messages = useRef<HTMLDivElement>(null);
  // Follows the answer inside the column only: scrolling the page would take the message box and Stop out of view.
  useEffect(() => {
    if (messages.current !== null) messages.current.scrollTop = messages.current.scrollHeight;
  }, [column.entries]);
  const name = `Column ${number}`;

  return (
    <section class="compare-column" aria-label={name}>
      <header class="compare-column-head">
        <h2>
          {name} <span class="compare-model">{column.settings.model || 'no model'}</span>
        </h2>
        {onRemove !== undefined && (
          <button type="button" class="small" onClick={onRemove} disabled={busy} aria-label={`Remove ${name.toLowerCase()}`}>
            Remove
          </button>
        )}
      </header>
      <details class="settings">
        <summary>Model and parameters</summary>
        <SettingsPanel settings={column.settings} onChange={onSettings} models={models} modelsError={modelsError} />
      </details>
      <div class="messages" ref={messages}>
        {column.entries.length === 0 && <p class="empty">Answers to your message appear here.</p>}
        {column.entries.map((entry) => (
          <MessageView key={entry.id} entry={entry} busy={busy} isLast={false} />
        ))}
      </div>
    </section>
  );
}
