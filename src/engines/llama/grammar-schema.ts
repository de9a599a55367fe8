// Turns a client's JSON Schema into the subset node-llama-cpp compiles to a grammar, or names what it cannot honour.
import type { GbnfJsonSchema } from 'node-llama-cpp';
import type { JsonSchema } from '../../core/chat-request.js';
import { InvalidRequestError } from '../../core/errors.js';

/** Keywords the grammar enforces. */
const ENFORCED = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'prefixItems', 'minItems', 'maxItems',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'enum', 'const', 'oneOf', 'format', 'description', '$defs', '$ref',
]);
/** Keywords that only annotate; dropping them changes nothing a valid output may be. */
const ANNOTATIONS = new Set(['title', '$schema', '$id', '$comment', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'strict']);
/** Keywords whose values are schemas, or maps and lists of schemas. */
const SCHEMA_MAPS = new Set(['properties', '$defs']);
const SCHEMA_LISTS = new Set(['oneOf', 'prefixItems']);
const DEFINITION_REF = /^#\/\$defs\/[^/]+$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function convert(schema: unknown, path: string, unsupported: string[]): unknown {
  if (!isObject(schema)) return schema;
  const converted: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    const at = path === '' ? keyword : `${path}.${keyword}`;
    if (ANNOTATIONS.has(keyword)) continue;
    // Any branch matching is what a grammar union generates, so anyOf compiles as oneOf.
    const name = keyword === 'anyOf' ? 'oneOf' : keyword;
    // node-llama-cpp resolves only definitions under `$defs`; any other reference would silently admit any JSON.
    if (!ENFORCED.has(name) || (name === '$ref' && !(typeof value === 'string' && DEFINITION_REF.test(value)))) {
      unsupported.push(at);
      continue;
    }
    if (SCHEMA_MAPS.has(name) && isObject(value)) {
      converted[name] = Object.fromEntries(Object.entries(value).map(([key, child]) => [key, convert(child, `${at}.${key}`, unsupported)]));
    } else if (SCHEMA_LISTS.has(name) && Array.isArray(value)) {
      converted[name] = value.map((child, index) => convert(child, `${at}[${index}]`, unsupported));
    } else if ((name === 'items' || name === 'additionalProperties') && isObject(value)) {
      converted[name] = convert(value, at, unsupported);
    } else {
      converted[name] = value;
    }
  }
  return converted;
}

/**
 * The schema as a grammar can enforce it. `what` names the schema in the error ("response_format
 * schema", "parameters of tool get_weather"). Throws a 400 that lists every keyword the grammar
 * cannot enforce, rather than silently producing output the schema would reject.
 */
export function toGrammarSchema(schema: JsonSchema, what: string): GbnfJsonSchema {
  const unsupported: string[] = [];
  const converted = convert(schema, '', unsupported);
  if (unsupported.length > 0) {
    throw new InvalidRequestError(`The ${what} uses JSON Schema keywords Studio cannot enforce: ${unsupported.join(', ')}.`);
  }
  return converted as GbnfJsonSchema;
}
