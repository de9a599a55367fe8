import { describe, expect, it } from 'vitest';
import { quoteClientText } from './quote-client-text.js';

describe('quoteClientText', () => {
  it('quotes a short text whole, as JSON', () => {
    expect(quoteClientText('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
  });

  it('cuts a long text to its first 64 characters', () => {
    expect(quoteClientText('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(64)}…"`);
  });
});
