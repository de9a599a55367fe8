// Weighted rendezvous hashing: shares follow weights, and removing a candidate moves only its own keys.
import { describe, expect, it } from 'vitest';
import { rendezvousPick } from './rendezvous-pick.js';

const keys = Array.from({ length: 4000 }, (_, i) => `conversation ${i}`);

describe('rendezvousPick', () => {
  it('gives each candidate a share of keys close to its share of weight', () => {
    const candidates = [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 3 },
    ];
    const toB = keys.filter((key) => rendezvousPick(key, candidates)?.id === 'b').length / keys.length;
    expect(toB).toBeGreaterThan(0.72);
    expect(toB).toBeLessThan(0.78);
  });

  it('moves only the keys of a candidate that leaves', () => {
    const all = [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 1 },
      { id: 'c', weight: 2 },
    ];
    const without = all.filter((candidate) => candidate.id !== 'b');
    for (const key of keys) {
      const before = rendezvousPick(key, all)!;
      if (before.id !== 'b') expect(rendezvousPick(key, without)).toBe(before);
    }
  });

  it('picks nothing from no candidates', () => {
    expect(rendezvousPick('k', [])).toBeUndefined();
  });
});
