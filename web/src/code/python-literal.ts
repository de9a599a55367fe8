// A JSON value as Python source: JSON's string escapes are valid in Python, only true/false/null and the layout differ.

/** Indented by four spaces a level, as Model Studio's Python examples are; `level` is where the value starts. */
export function pythonLiteral(value: unknown, level = 0): string {
  const inner = '    '.repeat(level + 1);
  const outer = '    '.repeat(level);
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'None';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + pythonLiteral(item, level + 1)).join(',\n')}\n${outer}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${pythonLiteral(item, level + 1)}`).join(',\n')}\n${outer}}`;
}
