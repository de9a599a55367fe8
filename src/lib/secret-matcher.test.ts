import { describe, expect, it } from 'vitest';
import { createSecretMatcher } from './secret-matcher.js';

describe('createSecretMatcher', () => {
  const matches = createSecretMatcher(['sk-first', 'sk-second']);

  it('accepts each configured secret', () => {
    expect(matches('sk-first')).toBe(true);
    expect(matches('sk-second')).toBe(true);
  });

  it('rejects anything else, including prefixes and the empty string', () => {
    expect(matches('sk-firs')).toBe(false);
    expect(matches('sk-first ')).toBe(false);
    expect(matches('')).toBe(false);
  });

  it('rejects everything when no secret is configured', () => {
    expect(createSecretMatcher([])('anything')).toBe(false);
  });
});
