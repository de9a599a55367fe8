import type { Token } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { ReplyMemory } from './reply-memory.js';

/** A vocabulary of one character per token: token n is the character with code n. */
const detokenize = (tokens: readonly Token[]): string => String.fromCharCode(...tokens);
const tokensOf = (text: string): Token[] => [...text].map((character) => character.charCodeAt(0) as Token);

describe('ReplyMemory', () => {
  it('gives back the tokens of a reply whose text was trimmed', () => {
    const memory = new ReplyMemory(4, detokenize);
    memory.remember('an answer', tokensOf(' an answer\n'));
    expect(memory.tokensOf('an answer')).toEqual(tokensOf(' an answer\n'));
    expect(memory.tokensOf(' an answer\n')).toBeUndefined();
  });

  it('does not take tokens that are not the text: a stop sequence cut, a thought, a tool call', () => {
    const memory = new ReplyMemory(4, detokenize);
    memory.remember('an answer', tokensOf('an answer. STOP'));
    memory.remember('after a thought', tokensOf('<think>hmm</think>after a thought'));
    memory.remember('', tokensOf('<tool_call>{}</tool_call>'));
    expect(memory.tokensOf('an answer')).toBeUndefined();
    expect(memory.tokensOf('after a thought')).toBeUndefined();
    expect(memory.tokensOf('')).toBeUndefined();
  });

  it('forgets the least recently used reply once full', () => {
    const memory = new ReplyMemory(2, detokenize);
    memory.remember('one', tokensOf('one'));
    memory.remember('two', tokensOf('two'));
    expect(memory.tokensOf('one')).toBeDefined();
    memory.remember('three', tokensOf('three'));
    expect(memory.tokensOf('two')).toBeUndefined();
    expect(memory.tokensOf('one')).toBeDefined();
    expect(memory.tokensOf('three')).toBeDefined();
  });

  it('keeps its own copy of the tokens', () => {
    const memory = new ReplyMemory(2, detokenize);
    const tokens = tokensOf('mine');
    memory.remember('mine', tokens);
    tokens.length = 0;
    expect(memory.tokensOf('mine')).toEqual(tokensOf('mine'));
  });
});
