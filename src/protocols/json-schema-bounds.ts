// Bounds what a client's JSON Schema may cost (nesting, size, properties, alternatives) and checks that its `$ref`s resolve.

/**
 * The most a schema may hold. Depth and size keep every recursive walk of it (node-llama-cpp's prompt
 * writer and grammar builder) far from the stack's end and its grammar quick to build. Each open branch of
 * a `oneOf` or `anyOf` is a parse state the grammar checks against the whole vocabulary on every sampled
 * token, which slows the batch the request shares; an `enum`'s values are compiled as a trie, so they cost
 * little (bench/grammar-cost.ts). OpenAI's structured outputs allow 10 levels of objects (about 20 of
 * JSON), 5,000 properties and 1,000 enum values.
 */
export const SCHEMA_LIMITS = {
  /** Levels of JSON nesting in the schema document. */
  depth: 64,
  /** JSON values in the schema document: objects, arrays, strings, numbers, booleans and nulls. */
  size: 20_000,
  /** Names in all of its `properties`. */
  properties: 5_000,
  /** Values in all of its `enum` lists. */
  enumValues: 1_000,
  /** Entries of all of its `oneOf` and `anyOf` lists. */
  alternatives: 64,
} as const;

/** Keywords whose value is a map of names to schemas. */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'patternProperties', 'dependentSchemas']);
/** Keywords whose value is data, not schemas: a `$ref` or `properties` in there means nothing. */
const DATA = new Set(['enum', 'const', 'default', 'examples']);
const ALTERNATIVES = new Set(['oneOf', 'anyOf']);

/** Keywords whose list must hold something: an empty one admits no value, so no output could be valid. */
const NON_EMPTY = new Set(['enum', 'oneOf', 'anyOf', 'type']);
/** Lower and upper bounds that no value can satisfy at once when the lower exceeds the upper. */
const RANGES = [
  ['minLength', 'maxLength'],
  ['minItems', 'maxItems'],
  ['minProperties', 'maxProperties'],
  ['minimum', 'maximum'],
] as const;

function unsatisfiableRange(schema: Record<string, unknown>): string | undefined {
  for (const [low, high] of RANGES) {
    const [min, max] = [schema[low], schema[high]];
    if (typeof min === 'number' && typeof max === 'number' && min > max) return `has ${low} ${min} above ${high} ${max}, which no value can match.`;
  }
  return undefined;
}

interface Pending {
  readonly value: unknown;
  readonly depth: number;
  readonly isSchema: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A local reference (`#`, `#/$defs/Name`) resolved as a JSON Pointer into the document; undefined when it points nowhere. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let value = root;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function checkReference(root: unknown, ref: unknown): string | undefined {
  if (typeof ref !== 'string') return 'has a $ref that is not a string.';
  let target: unknown;
  try {
    target = resolvePointer(root, ref);
  } catch {
    // A malformed %-escape.
    target = undefined;
  }
  if (target === undefined || typeof target !== 'object') {
    return `has a $ref ${JSON.stringify(ref.slice(0, 200))} that names no schema in the document (write "#/$defs/Name" for a schema under "$defs").`;
  }
  return undefined;
}

/**
 * What is wrong with a schema, as the end of a sentence ("nests deeper than 64 levels, the most Studio
 * allows."), or undefined when it is within bounds and its references resolve. It walks with its own stack,
 * so no nesting overflows it.
 */
export function jsonSchemaProblem(schema: unknown): string | undefined {
  let size = 0;
  let properties = 0;
  let alternatives = 0;
  let enumValues = 0;
  const pending: Pending[] = [{ value: schema, depth: 1, isSchema: true }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, depth, isSchema } = item;
    if (++size > SCHEMA_LIMITS.size) return `has more than ${SCHEMA_LIMITS.size} JSON values, the most Studio allows.`;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > SCHEMA_LIMITS.depth) return `nests deeper than ${SCHEMA_LIMITS.depth} levels, the most Studio allows.`;
    if (Array.isArray(value)) {
      for (const element of value) pending.push({ value: element, depth: depth + 1, isSchema: isSchema && isObject(element) });
      continue;
    }
    if (isSchema && isObject(value)) {
      const problem = unsatisfiableRange(value);
      if (problem !== undefined) return problem;
    }
    for (const [key, child] of Object.entries(value)) {
      const next = depth + 1;
      if (!isSchema) {
        pending.push({ value: child, depth: next, isSchema: false });
        continue;
      }
      if (key === '$ref') {
        const problem = checkReference(schema, child);
        if (problem !== undefined) return problem;
      }
      if (NON_EMPTY.has(key) && Array.isArray(child) && child.length === 0) return `has an empty ${key} list, which no value can match.`;
      if (key === 'enum' && Array.isArray(child) && (enumValues += child.length) > SCHEMA_LIMITS.enumValues) {
        return `has more than ${SCHEMA_LIMITS.enumValues} values in its enum lists together, the most Studio allows.`;
      }
      if (ALTERNATIVES.has(key) && Array.isArray(child) && (alternatives += child.length) > SCHEMA_LIMITS.alternatives) {
        return `has more than ${SCHEMA_LIMITS.alternatives} entries in its oneOf and anyOf lists together, the most Studio allows.`;
      }
      if (SCHEMA_MAPS.has(key) && isObject(child)) {
        if (key === 'properties' && (properties += Object.keys(child).length) > SCHEMA_LIMITS.properties) {
          return `has more than ${SCHEMA_LIMITS.properties} properties, the most Studio allows.`;
        }
        // The map counts as one level, as it does in the JSON; its values are schemas.
        if (++size > SCHEMA_LIMITS.size) return `has more than ${SCHEMA_LIMITS.size} JSON values, the most Studio allows.`;
        for (const named of Object.values(child)) pending.push({ value: named, depth: next + 1, isSchema: isObject(named) });
        continue;
      }
      pending.push({ value: child, depth: next, isSchema: !DATA.has(key) && typeof child === 'object' });
    }
  }
  return undefined;
}
