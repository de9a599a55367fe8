// Any text as one POSIX shell word: single quotes, with each ' written as '\''.
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
