// Formats one Server-Sent Events frame; the field separator is a parameter because wires differ on it.

export interface SseFrame {
  readonly id?: string | number;
  readonly event?: string;
  /** A comment line (`:text`), which every SSE client ignores. */
  readonly comment?: string;
  /** One line of data; callers serialize JSON compactly so it never holds a line break. */
  readonly data: string;
}

/**
 * `separator` goes between a field name and its value: the SSE standard allows `": "` or `":"`,
 * and some clients compare raw text after the colon, so each wire picks the one its clients expect.
 */
export function formatSseFrame(frame: SseFrame, separator: ': ' | ':'): string {
  let text = '';
  if (frame.id !== undefined) text += `id${separator}${frame.id}\n`;
  if (frame.event !== undefined) text += `event${separator}${frame.event}\n`;
  if (frame.comment !== undefined) text += `:${frame.comment}\n`;
  if (frame.data.includes('\n')) throw new Error('SSE data must be a single line');
  return `${text}data${separator}${frame.data}\n\n`;
}
