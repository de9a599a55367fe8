import { describe, expect, it } from 'vitest';
import { isCompleteJson } from './is-complete-json.js';

describe('isCompleteJson', () => {
  it('is true for a whole object or array, trailing whitespace allowed', () => {
    expect(isCompleteJson('{"a": [1, 2]}')).toBe(true);
    expect(isCompleteJson(' [1]\n\n')).toBe(true);
  });

  it('is false while the value is unfinished', () => {
    expect(isCompleteJson('{"a": [1, 2]')).toBe(false);
    expect(isCompleteJson('{"a": "}"')).toBe(false);
    expect(isCompleteJson('')).toBe(false);
  });
});
