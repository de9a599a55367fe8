import { getLlama } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { literalTrieGrammar } from './literal-trie-grammar.js';

describe('literalTrieGrammar', () => {
  it('writes a choice among literals and rules holding one as a trie', () => {
    const grammar = ['root ::= ( val0 | val1 | val2 | "\\"b\\"" | "7" ) "\\n"', 'val0 ::= "\\"a1\\""', 'val1 ::= "\\"a2\\""', 'val2 ::= "\\"a\\""'].join('\n');
    expect(literalTrieGrammar(grammar).split('\n')[0]).toBe('root ::= ( ( "\\"" ( "a" ( "1\\"" | "2\\"" | "\\"" ) | "b\\"" ) | "7" ) ) "\\n"');
  });

  it('keeps escapes and characters beyond the BMP whole', () => {
    const grammar = 'root ::= ( "\\\\x" | "\\\\y" | "😀a" | "😀b" )';
    expect(literalTrieGrammar(grammar)).toBe('root ::= ( ( "\\\\" ( "x" | "y" ) | "😀" ( "a" | "b" ) ) )');
  });

  it('leaves alone small choices, choices among other rules, and groups inside literals or classes', () => {
    const lines = [
      'root ::= ( "a" | "b" ) ( "c" | "d" | "e" | object ) "( \\"x\\" | \\"y\\" | \\"z\\" | \\"w\\" )" [( "x" | "y" | "z" | "w" )]',
      'object ::= "{" "}"',
    ];
    expect(literalTrieGrammar(lines.join('\n'))).toBe(lines.join('\n'));
  });

  it('makes a grammar llama.cpp parses, for an enum that needs every kind of branch', async () => {
    const llama = await getLlama({ gpu: false });
    const schema = { enum: ['a', 'ab', 'abc', 'b', 'b | c', '( x', 'é', 'line\nbreak', 7, null, true] };
    const original = (await llama.createGrammarForJsonSchema(schema as never)).grammar;
    const trie = literalTrieGrammar(original);
    expect(trie).not.toBe(original);
    await expect(llama.createGrammar({ grammar: trie })).resolves.toBeDefined();
  });
});
