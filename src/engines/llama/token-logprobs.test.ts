import type { Token } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { tokenLogprob } from './token-logprobs.js';

const text = (token: Token): string => ['a', 'b', 'c', 'é'][token] ?? '?';
const probabilities = new Map<Token, number>([
  [1 as Token, 0.2],
  [3 as Token, 0.5],
  [0 as Token, 0.3],
]);

describe('tokenLogprob', () => {
  it('reports the chosen token and the most likely alternatives, most likely first', () => {
    expect(tokenLogprob(0 as Token, probabilities, 2, text)).toEqual({
      token: 'a',
      bytes: [97],
      logprob: Math.log(0.3),
      topLogprobs: [
        { token: 'é', bytes: [0xc3, 0xa9], logprob: Math.log(0.5) },
        { token: 'a', bytes: [97], logprob: Math.log(0.3) },
      ],
    });
  });

  it('gives a token outside the distribution the logprob OpenAI uses for zero', () => {
    expect(tokenLogprob(2 as Token, probabilities, 0, text)).toEqual({ token: 'c', bytes: [99], logprob: -9999, topLogprobs: [] });
  });
});
