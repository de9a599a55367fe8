import type { LlamaContext, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyContext } from '../../../test/support/tiny-context.js';
import { prefill, PrefillPacer } from './prefill.js';

describe('prefill', () => {
  let context: LlamaContext;
  beforeAll(async () => {
    context = await tinyContext({ contextSize: 512, sequences: 1, threads: 1 });
  });
  afterAll(() => context?.model.llama.dispose());

  const steps = async (count: number): Promise<number[]> => {
    const sequence = context.getSequence();
    try {
      const sizes: number[] = [];
      const tokens = Array.from({ length: count }, (_, index) => (100 + index) as Token);
      await prefill(sequence, tokens, new PrefillPacer(), new AbortController().signal, (size) => void sizes.push(size));
      expect(sequence.contextTokens).toEqual(tokens);
      return sizes;
    } finally {
      sequence.dispose();
    }
  };

  it('evaluates a prompt in steps, a short rest joining the step before it', async () => {
    // The tiny model is fast, so the pacer's steps grow past the 64-token minimum only as it measures them.
    const [first, ...rest] = await steps(300);
    expect(first).toBe(64);
    expect(rest.reduce((total, size) => total + size, first!)).toBe(300);
    expect(await steps(90)).toEqual([90]);
    expect(await steps(100)).toEqual([64, 36]);
  });
});
