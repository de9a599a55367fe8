// Quotes a client's text in an error message, cut short: the text may be megabytes long.

const MAX_QUOTED_LENGTH = 64;

/** The text as a JSON string literal, its first 64 characters followed by "…" when it is longer. */
export function quoteClientText(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text);
}
