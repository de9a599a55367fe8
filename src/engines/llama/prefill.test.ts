import { describe, expect, it } from 'vitest';
import { lastStepLength } from './prefill.js';

describe('lastStepLength', () => {
  it('is what is left after whole steps, or a whole step when they divide evenly', () => {
    expect(lastStepLength(22, 64)).toBe(22);
    expect(lastStepLength(130, 64)).toBe(2);
    expect(lastStepLength(128, 64)).toBe(64);
    expect(lastStepLength(1, 64)).toBe(1);
  });
});
