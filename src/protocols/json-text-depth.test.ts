import { describe, expect, it } from 'vitest';
import { jsonTextDepth } from './json-text-depth.js';

describe('jsonTextDepth', () => {
  it('counts objects and arrays, not what strings hold', () => {
    expect(jsonTextDepth('1')).toBe(0);
    expect(jsonTextDepth('{"a":[1,{"b":2}],"c":{}}')).toBe(3);
    expect(jsonTextDepth('{"a":"[[[{{\\"]]"}')).toBe(1);
  });

  it('measures any depth without overflowing', () => {
    expect(jsonTextDepth('['.repeat(1_000_000) + ']'.repeat(1_000_000))).toBe(1_000_000);
  });
});
