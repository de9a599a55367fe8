// Tells whether streamed text already holds one whole JSON object or array.

/**
 * Cheap enough to ask after every token: only text that ends like an object or array is parsed.
 * Grammars for JSON allow trailing whitespace without end, so the reply is ended by this instead.
 */
export function isCompleteJson(text: string): boolean {
  const trimmed = text.trimEnd();
  const last = trimmed.at(-1);
  if (last !== '}' && last !== ']') return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}
