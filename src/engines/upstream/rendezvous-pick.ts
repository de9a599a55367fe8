// Weighted rendezvous (highest-random-weight) hashing: a key's choice among candidates, stable as others come and go.
import { createHash } from 'node:crypto';

export interface RendezvousCandidate {
  /** What the hash is taken over; the same on every Studio replica, so replicas agree. */
  readonly id: string;
  readonly weight: number;
}

/**
 * The candidate with the highest `weight / -ln(u)`, where u in (0, 1) is a hash of key and id.
 * Each candidate wins a share of keys proportional to its weight, and removing one moves only
 * the keys it had won.
 */
export function rendezvousPick<T extends RendezvousCandidate>(key: string, candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestScore = -Infinity;
  for (const candidate of candidates) {
    const score = candidate.weight / -Math.log(unitHash(`${key}\n${candidate.id}`));
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** A hash of `text` as a number strictly between 0 and 1. */
function unitHash(text: string): number {
  const bits = createHash('sha256').update(text).digest().readBigUInt64BE(0) >> 11n;
  return (Number(bits) + 0.5) / 2 ** 53;
}
