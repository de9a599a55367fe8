// What every body and chunk of one completion repeats: its id, creation time and model.
export interface CompletionIdentity {
  /** `chatcmpl-<uuid>`. */
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
}

export function completionIdentity(requestId: string, model: string, now: Date = new Date()): CompletionIdentity {
  return { id: `chatcmpl-${requestId}`, created: Math.floor(now.getTime() / 1000), model };
}
