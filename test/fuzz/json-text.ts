// JSON text of fuzzed bodies, including what JSON.stringify cannot write: 1e309, -0, literal digits, 10,000-deep nesting.
import fc from 'fast-check';

/** Values whose JSON text is given verbatim rather than written by JSON.stringify. */
const verbatim = new WeakMap<object, string>();

/** Registers `value`'s text, and a short name fast-check prints in a counterexample instead of recursing into it. */
function keepVerbatim<T extends object>(value: T, text: string, name: string): T {
  verbatim.set(value, text);
  Object.defineProperty(value, fc.toStringMethod, { value: () => name });
  return value;
}

/** A stand-in value that toJsonText writes as `text`; decoded directly, it is an empty object. */
export function rawJson(text: string): object {
  return keepVerbatim({}, text, `rawJson(${JSON.stringify(text)})`);
}

/** `[[[…1…]]]` or `{"a":{"a":…1…}}`, `depth` levels deep, built without recursion and written without it. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = kind === 'array' ? [value] : { a: value };
  const [open, close] = kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
  return keepVerbatim(value as object, `${open.repeat(depth)}1${close.repeat(depth)}`, `nested(${depth}, '${kind}')`);
}

/** A JSON Schema whose properties nest `depth` levels deep, as the 10,000-deep tool parameters. */
export function deepSchema(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let level = 0; level < depth; level++) schema = { type: 'object', properties: { a: schema } };
  return keepVerbatim(schema, `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`, `deepSchema(${depth})`);
}

/** Whether toJsonText writes `value` verbatim: a copy of it would lose that, and may be too deep to write. */
export function isVerbatim(value: unknown): boolean {
  return typeof value === 'object' && value !== null && verbatim.has(value);
}

/** Numbers JSON.stringify would turn into null keep a literal that JSON.parse reads back as them. */
function numberText(value: number): string | undefined {
  if (Number.isNaN(value)) return 'null';
  if (value === Infinity) return '1e309';
  if (value === -Infinity) return '-1e309';
  if (Object.is(value, -0)) return '-0';
  return undefined;
}

const PLACEHOLDER = /"\\u0000verbatim:(\d+)"/g;

/** The body as a client would send it: verbatim pieces in place, infinities as 1e309, -0 as -0. */
export function toJsonText(body: unknown): string {
  const pieces: string[] = [];
  const placeholder = (text: string): string => `\u0000verbatim:${pieces.push(text) - 1}`;
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value === 'number') {
      const literal = numberText(value);
      return literal === undefined ? value : placeholder(literal);
    }
    const known = typeof value === 'object' && value !== null ? verbatim.get(value) : undefined;
    return known === undefined ? value : placeholder(known);
  });
  // JSON.stringify(undefined) is undefined: a client sending "nothing" sends an empty body.
  return (text ?? '').replace(PLACEHOLDER, (_match, index: string) => pieces[Number(index)] ?? 'null');
}
