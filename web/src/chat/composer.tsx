// The message box: Enter sends, Shift+Enter starts a new line; Stop cancels the reply being written.
interface Props {
  readonly draft: string;
  readonly onDraft: (text: string) => void;
  readonly onSend: () => void;
  readonly onStop: () => void;
  readonly onClear: () => void;
  readonly busy: boolean;
  /** Given while an earlier message is being edited: the box then says so, with a Cancel edit button. */
  readonly onCancelEdit?: () => void;
}

export function Composer({ draft, onDraft, onSend, onStop, onClear, busy, onCancelEdit }: Props) {
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        onSend();
      }}
    >
      {onCancelEdit !== undefined && (
        <p class="editing">
          Editing an earlier message: sending replaces it and everything after it.{' '}
          <button type="button" class="small" onClick={onCancelEdit}>
            Cancel edit
          </button>
        </p>
      )}
      <label class="field">
        <span>Message</span>
        <textarea
          name="message"
          rows={3}
          placeholder="Write a message. Enter sends, Shift+Enter starts a new line."
          value={draft}
          onInput={(event) => onDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              if (!busy) onSend();
            }
          }}
        />
      </label>
      <div class="composer-actions">
        <button type="button" onClick={onClear} disabled={busy}>
          Clear
        </button>
        {busy ? (
          <button type="button" class="stop" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" class="primary" disabled={draft.trim() === ''}>
            Send
          </button>
        )}
      </div>
    </form>
  );
}
