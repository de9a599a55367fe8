// One message of the conversation: the user's with an edit button; a reply with its reasoning, markdown, tool calls and metrics.
import { useMemo, useState } from 'preact/hooks';
import { copyText } from '../copy-text.js';
import { ErrorNote } from '../error-note.js';
import { renderMarkdown } from '../markdown/render-markdown.js';
import type { ChatEntry } from './chat-entry.js';
import { ReplyMetricsLine } from './reply-metrics-line.js';

/** Copies the code of the block whose copy button was clicked; the markdown's HTML has no handlers of its own. */
function onCodeCopy(event: MouseEvent): void {
  const button = (event.target as Element).closest('[data-copy-code]');
  const code = button?.closest('.code-block')?.querySelector('pre')?.textContent;
  if (button === null || button === undefined || code == null) return;
  void copyText(code).then(() => {
    button.textContent = 'Copied';
    setTimeout(() => (button.textContent = 'Copy'), 1500);
  });
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="small"
      aria-label={label}
      onClick={() =>
        void copyText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

interface Props {
  readonly entry: ChatEntry;
  readonly busy: boolean;
  readonly isLast: boolean;
  /** Without it (Compare), a message has no Edit button. */
  readonly onEdit?: () => void;
  /** Without it (Compare), the last reply has no Regenerate button. */
  readonly onRegenerate?: () => void;
}

export function MessageView({ entry, busy, isLast, onEdit, onRegenerate }: Props) {
  const content = entry.role === 'user' ? entry.content : entry.reply.content;
  const html = useMemo(() => (entry.role === 'assistant' ? renderMarkdown(content) : ''), [entry.role, content]);

  if (entry.role === 'user') {
    return (
      <article class="message user" aria-label="Your message">
        <p class="user-text">{entry.content}</p>
        {onEdit !== undefined && (
          <div class="message-actions">
            <button type="button" class="small" onClick={onEdit} disabled={busy} aria-label="Edit this message and send it again">
              Edit
            </button>
          </div>
        )}
      </article>
    );
  }

  const { reply } = entry;
  return (
    <article class="message assistant" aria-label={`Reply from ${entry.model}`} aria-busy={entry.status === 'streaming'}>
      {reply.reasoning !== '' && (
        <details class="reasoning" open={entry.status === 'streaming' && reply.content === ''}>
          <summary>Reasoning</summary>
          <p>{reply.reasoning}</p>
        </details>
      )}
      {/* Safe to insert: renderMarkdown escapes raw HTML and drops unsafe links. */}
      <div class="markdown" onClick={onCodeCopy} dangerouslySetInnerHTML={{ __html: html }} />
      {reply.toolCalls.map((call) => (
        <div class="tool-call" key={call.id}>
          <span class="tool-call-label">Tool call</span> <code>{call.name}</code>
          <pre>{call.arguments}</pre>
        </div>
      ))}
      {entry.status === 'streaming' && reply.content === '' && reply.reasoning === '' && <p class="waiting">Waiting for the first token…</p>}
      <ErrorNote message={entry.error} />
      <ReplyMetricsLine entry={entry} />
      {entry.status !== 'streaming' && (
        <div class="message-actions">
          {content !== '' && <CopyButton text={content} label="Copy this reply" />}
          {isLast && onRegenerate !== undefined && (
            <button type="button" class="small" onClick={onRegenerate} disabled={busy} aria-label="Regenerate this reply">
              Regenerate
            </button>
          )}
        </div>
      )}
    </article>
  );
}
