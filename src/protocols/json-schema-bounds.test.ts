import { describe, expect, it } from 'vitest';
import { jsonSchemaProblem, SCHEMA_LIMITS } from './json-schema-bounds.js';

function nested(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let level = 0; level < levels; level++) schema = { type: 'array', items: schema };
  return schema;
}

const range = (count: number): number[] => Array.from({ length: count }, (_, index) => index);

describe('jsonSchemaProblem', () => {
  it('accepts a schema of real size, with references that resolve', () => {
    const schema = {
      type: 'object',
      properties: { owner: { $ref: '#/$defs/Person' }, team: { type: 'array', items: { $ref: '#/$defs/Person' } }, self: { $ref: '#' } },
      $defs: { Person: { type: 'object', properties: { name: { type: 'string' }, role: { enum: ['admin', 'user'] } } } },
    };
    expect(jsonSchemaProblem(schema)).toBeUndefined();
  });

  it('names a schema no value can match: an empty list of choices, or bounds the wrong way round', () => {
    expect(jsonSchemaProblem({ enum: [] })).toBe('has an empty enum list, which no value can match.');
    expect(jsonSchemaProblem({ type: 'object', properties: { a: { oneOf: [] } } })).toBe('has an empty oneOf list, which no value can match.');
    expect(jsonSchemaProblem({ anyOf: [] })).toBe('has an empty anyOf list, which no value can match.');
    expect(jsonSchemaProblem({ type: [] })).toBe('has an empty type list, which no value can match.');
    expect(jsonSchemaProblem({ type: 'string', minLength: 5, maxLength: 2 })).toBe('has minLength 5 above maxLength 2, which no value can match.');
    expect(jsonSchemaProblem({ type: 'array', items: { type: 'array', minItems: 3, maxItems: 1 } })).toBe('has minItems 3 above maxItems 1, which no value can match.');
    // As data, an empty list or such numbers mean nothing.
    expect(jsonSchemaProblem({ enum: [[], { minLength: 5, maxLength: 2 }] })).toBeUndefined();
    expect(jsonSchemaProblem({ type: 'object', properties: { enum: { type: 'string' } } })).toBeUndefined();
  });

  it('bounds nesting without overflowing on any depth', () => {
    expect(jsonSchemaProblem(nested(SCHEMA_LIMITS.depth - 1))).toBeUndefined();
    expect(jsonSchemaProblem(nested(SCHEMA_LIMITS.depth))).toBe(`nests deeper than ${SCHEMA_LIMITS.depth} levels, the most Studio allows.`);
    expect(jsonSchemaProblem(nested(100_000))).toBe(`nests deeper than ${SCHEMA_LIMITS.depth} levels, the most Studio allows.`);
  });

  it('bounds nesting inside data too (an enum of deep arrays)', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 1000; level++) deep = [deep];
    expect(jsonSchemaProblem({ enum: [deep] })).toMatch(/^nests deeper than/);
  });

  it('bounds the values of enum lists together', () => {
    const half = SCHEMA_LIMITS.enumValues / 2;
    const within = { anyOf: [{ enum: range(half) }, { type: 'object', properties: { a: { enum: range(half) } } }] };
    expect(jsonSchemaProblem(within)).toBeUndefined();
    expect(jsonSchemaProblem({ ...within, enum: range(1) })).toBe(`has more than ${SCHEMA_LIMITS.enumValues} values in its enum lists together, the most Studio allows.`);
    expect(jsonSchemaProblem({ enum: range(100_000).map(String) })).toMatch(/values in its enum lists/);
  });

  it('bounds the entries of oneOf and anyOf lists together', () => {
    const half = SCHEMA_LIMITS.alternatives / 2;
    const within = { anyOf: range(half).map(() => ({ type: 'null' })), properties: { a: { oneOf: range(half).map(() => ({ type: 'string' })) } } };
    expect(jsonSchemaProblem(within)).toBeUndefined();
    expect(jsonSchemaProblem({ ...within, oneOf: [{}] })).toBe(
      `has more than ${SCHEMA_LIMITS.alternatives} entries in its oneOf and anyOf lists together, the most Studio allows.`,
    );
  });

  it('bounds properties across the schema', () => {
    const properties = (count: number): Record<string, unknown> => Object.fromEntries(range(count).map((index) => [`p${index}`, {}]));
    expect(jsonSchemaProblem({ properties: properties(SCHEMA_LIMITS.properties) })).toBeUndefined();
    const split = { properties: { a: { properties: properties(SCHEMA_LIMITS.properties) } } };
    expect(jsonSchemaProblem(split)).toBe(`has more than ${SCHEMA_LIMITS.properties} properties, the most Studio allows.`);
  });

  it('bounds the size of the document', () => {
    expect(jsonSchemaProblem({ type: 'object', required: range(SCHEMA_LIMITS.size).map(String) })).toBe(
      `has more than ${SCHEMA_LIMITS.size} JSON values, the most Studio allows.`,
    );
  });

  it('names a $ref that points nowhere', () => {
    expect(jsonSchemaProblem({ $ref: '#/$defs/Nope' })).toMatch(/^has a \$ref "#\/\$defs\/Nope" that names no schema/);
    expect(jsonSchemaProblem({ properties: { a: { $ref: '#/$defs/Nope' } }, $defs: { Yes: {} } })).toMatch(/"#\/\$defs\/Nope"/);
    expect(jsonSchemaProblem({ $ref: 'https://example.com/schema.json' })).toMatch(/names no schema/);
    expect(jsonSchemaProblem({ $ref: '#/$defs/%E0%A4%A' })).toMatch(/names no schema/);
    expect(jsonSchemaProblem({ $ref: 42 })).toBe('has a $ref that is not a string.');
  });

  it('reads $ref, properties and enum as keywords only where a schema is', () => {
    // A property named "$ref" or "enum", and a $ref inside an enum's data, are not keywords.
    expect(jsonSchemaProblem({ properties: { $ref: { type: 'string' }, enum: { type: 'string' } }, enum: [{ $ref: '#/nowhere' }] })).toBeUndefined();
  });
});
