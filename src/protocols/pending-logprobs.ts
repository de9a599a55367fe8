// Log-probabilities that wait, per choice, for the stream piece that carries them.
import type { TokenLogprob } from '../core/generation-event.js';

export interface PendingLogprobs {
  add(choice: number, content: readonly TokenLogprob[]): void;
  /** What waits for `choice` (undefined when nothing does), which then waits no more. */
  take(choice: number): readonly TokenLogprob[] | undefined;
}

/**
 * An engine sends a token's log-probability before or with its text, and the text may be held back
 * (a possible stop string), so both wires hand the waiting entries to the choice's next text piece,
 * or to its finish when no text follows.
 */
export function pendingLogprobs(): PendingLogprobs {
  const waiting = new Map<number, TokenLogprob[]>();
  return {
    add: (choice, content) => {
      if (content.length === 0) return;
      const queue = waiting.get(choice);
      if (queue === undefined) waiting.set(choice, [...content]);
      else queue.push(...content);
    },
    take: (choice) => {
      const queue = waiting.get(choice);
      waiting.delete(choice);
      return queue;
    },
  };
}
