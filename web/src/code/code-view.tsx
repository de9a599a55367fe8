// "View code": the conversation and parameters of the Chat page as curl, Python and Node.js code, each with a copy button.
import type { StudioModel } from '../api/models.js';
import { buildChatBody, InvalidSetting, type ChatSettings, type ChatTurn } from '../chat/chat-body.js';
import { CopyButton } from '../chat/message-view.js';
import { codeSnippets, type CodeSnippet } from './code-snippets.js';

interface Props {
  readonly settings: ChatSettings;
  readonly models: readonly StudioModel[];
  /** The conversation so far and the message being written, if any. */
  readonly turns: readonly ChatTurn[];
  readonly onClose: () => void;
}

function snippetsOrReason(settings: ChatSettings, models: readonly StudioModel[], turns: readonly ChatTurn[]): CodeSnippet[] | string {
  if (!turns.some((turn) => turn.role === 'user')) return 'Write a message first: the code sends the conversation and the message in the box.';
  try {
    return codeSnippets(window.location.origin, buildChatBody(settings, turns, models));
  } catch (error) {
    if (error instanceof InvalidSetting) return error.message;
    throw error;
  }
}

export function CodeView({ settings, models, turns, onClose }: Props) {
  const snippets = snippetsOrReason(settings, models, turns);
  return (
    <section class="code-view" aria-label="Code for this conversation">
      <div class="code-view-head">
        <h2>Code for this conversation</h2>
        <button type="button" class="small" onClick={onClose}>
          Close
        </button>
      </div>
      {typeof snippets === 'string' ? (
        <p class="error">{snippets}</p>
      ) : (
        <>
          <p class="hint">Set DASHSCOPE_API_KEY to your Studio key (any value when the server has no keys). The code asks for the whole reply at once.</p>
          {snippets.map((snippet) => (
            <div class="code-block" key={snippet.id} data-snippet={snippet.id}>
              <div class="code-bar">
                <span>{snippet.label}</span>
                <CopyButton text={snippet.code} label={`Copy the ${snippet.label} code`} />
              </div>
              <pre>
                <code>{snippet.code}</code>
              </pre>
            </div>
          ))}
        </>
      )}
    </section>
  );
}
