import { describe, expect, it } from 'vitest';
import { randomId } from './random-id.js';

describe('randomId', () => {
  it('gives every id of one size the same length, in base62 after its prefix', () => {
    const secrets = new Set(Array.from({ length: 2000 }, () => randomId('sk-', 32)));
    expect(secrets.size).toBe(2000);
    for (const secret of secrets) expect(secret).toMatch(/^sk-[0-9A-Za-z]{43}$/);
    for (let index = 0; index < 2000; index++) expect(randomId('file-')).toMatch(/^file-[0-9A-Za-z]{17}$/);
  });
});
