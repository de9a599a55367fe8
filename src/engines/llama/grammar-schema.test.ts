import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../core/errors.js';
import { toGrammarSchema } from './grammar-schema.js';

describe('toGrammarSchema', () => {
  it('keeps what the grammar enforces and drops annotations', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Person',
      type: 'object',
      properties: { name: { type: 'string', title: 'Name', maxLength: 20 }, tags: { type: 'array', items: { type: 'string', default: 'x' } } },
      required: ['name'],
      additionalProperties: false,
    };
    expect(toGrammarSchema(schema, 'schema')).toEqual({
      type: 'object',
      properties: { name: { type: 'string', maxLength: 20 }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['name'],
      additionalProperties: false,
    });
  });

  it('compiles anyOf as oneOf, at any depth', () => {
    expect(toGrammarSchema({ type: 'object', properties: { age: { anyOf: [{ type: 'integer' }, { type: 'null' }] } } }, 'schema')).toEqual({
      type: 'object',
      properties: { age: { oneOf: [{ type: 'integer' }, { type: 'null' }] } },
    });
  });

  it('names every keyword it cannot enforce, with its path', () => {
    const schema = { type: 'object', properties: { age: { type: 'integer', minimum: 0 }, code: { type: 'string', pattern: '^[A-Z]+$' } }, allOf: [] };
    expect(() => toGrammarSchema(schema, 'response_format schema')).toThrow(InvalidRequestError);
    expect(() => toGrammarSchema(schema, 'response_format schema')).toThrow(
      'The response_format schema uses JSON Schema keywords Studio cannot enforce: properties.age.minimum, properties.code.pattern, allOf.',
    );
  });

  it('keeps references to $defs and names the ones a grammar cannot follow', () => {
    const schema = { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'string' } } };
    expect(toGrammarSchema(schema, 'schema')).toEqual(schema);
    const elsewhere = { type: 'object', properties: { a: { $ref: '#/properties/b' }, b: { type: 'string' }, c: { $ref: '#' } } };
    expect(() => toGrammarSchema(elsewhere, 'schema')).toThrow('cannot enforce: properties.a.$ref, properties.c.$ref.');
  });
});
