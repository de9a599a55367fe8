// `{{variable}}` fields in a prompt template: which a text holds, and the text with them filled in.

/** `{{name}}`, spaces inside the braces allowed; `\{{` keeps the braces as typed. */
const FIELD = /\\\{\{|\{\{\s*([\p{L}\p{N}_][\p{L}\p{N}_ .-]*?)\s*\}\}/gu;

/** The variables `texts` name, each once, in the order they first appear. */
export function templateFields(...texts: readonly string[]): string[] {
  const names = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(FIELD)) if (match[1] !== undefined) names.add(match[1]);
  }
  return [...names];
}

export interface FilledTemplate {
  readonly text: string;
  /** Variables left empty: they stay in the text as `{{name}}`. */
  readonly missing: readonly string[];
}

export function fillTemplate(text: string, values: Readonly<Record<string, string>>): FilledTemplate {
  const missing = new Set<string>();
  const filled = text.replace(FIELD, (whole, name: string | undefined) => {
    if (name === undefined) return '{{';
    const value = values[name];
    if (value === undefined || value.trim() === '') {
      missing.add(name);
      return whole;
    }
    return value;
  });
  return { text: filled, missing: [...missing] };
}
