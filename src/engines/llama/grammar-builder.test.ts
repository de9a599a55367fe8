import { getLlama, type GbnfJsonSchema, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrammarBuilder } from './grammar-builder.js';

describe('GrammarBuilder', () => {
  let llama: Llama;
  let builder: GrammarBuilder;
  beforeAll(async () => {
    llama = await getLlama({ gpu: false });
    builder = new GrammarBuilder(llama, 2);
  });
  afterAll(async () => {
    await builder.dispose();
  });

  it('builds the grammar node-llama-cpp builds for the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, days: { enum: [1, 2, 3] } }, required: ['city'] } as const;
    const grammar = await builder.forSchema(schema);
    expect(grammar.grammar).toBe((await llama.createGrammarForJsonSchema(schema)).grammar);
    expect(grammar.trimWhitespaceSuffix).toBe(true);
  });

  it('builds a schema that comes again only once, and forgets the least recently used', async () => {
    const text = await builder.forSchema({ type: 'string' });
    expect(await builder.forSchema({ type: 'string' })).toBe(text);
    const number = await builder.forSchema({ type: 'number' });
    await builder.forSchema({ type: 'string' });
    await builder.forSchema({ type: 'boolean' });
    // Capacity 2: "string" was used after "number", so "number" went.
    expect(await builder.forSchema({ type: 'string' })).toBe(text);
    expect(await builder.forSchema({ type: 'number' })).not.toBe(number);
  });

  it('converts in a worker, leaving the event loop free meanwhile', async () => {
    const properties = Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`p${index}`, { type: 'string' as const }]));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    try {
      await builder.forSchema({ type: 'object', properties, required: Object.keys(properties) });
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it("rejects with the converter's or the parser's error, and keeps serving after it", async () => {
    let deep: GbnfJsonSchema = { type: 'string' };
    for (let level = 0; level < 600; level++) deep = { type: 'array', items: deep };
    await expect(builder.forSchema(deep)).rejects.toThrow('Maximum nesting scope exceeded');
    await expect(builder.forSchema({ $ref: '#/$defs/A', $defs: { A: { $ref: '#/$defs/A' } } })).rejects.toThrow(/grammar/i);
    expect((await builder.forSchema({ type: 'null' })).grammar).toContain('null');
  });
});
