// The balancing policy, as one pure function: least load per weight, or the conversation's own endpoint.
import { rendezvousPick, type RendezvousCandidate } from './rendezvous-pick.js';

export interface LoadCandidate extends RendezvousCandidate {
  /** Requests this Studio has outstanding on it plus the queue depth it reports. */
  readonly load: number;
}

/** How much busier than the least-loaded candidate a conversation's own endpoint may be: `load/weight > SLACK_FACTOR × least + SLACK_REQUESTS`. */
export const AFFINITY_SLACK_FACTOR = 2;
export const AFFINITY_SLACK_REQUESTS = 4;

/**
 * Without a conversation key: the candidate with the lowest load per weight; among equals, nginx's
 * smooth weighted round-robin over `credits` (by candidate id, kept between calls), so idle endpoints
 * of weights 1 and 3 take one request in four and three in four, interleaved.
 *
 * With one: the candidate rendezvous hashing gives that key, so one conversation keeps hitting one
 * upstream's prefix cache and moves only when that endpoint is out — unless its load per weight is
 * above twice the least-loaded candidate's plus 4, when the least-loaded one is taken instead, so
 * one hot conversation cannot melt one endpoint while others idle.
 */
export function chooseEndpoint<T extends LoadCandidate>(candidates: readonly T[], credits: Map<string, number>, conversation?: string): T | undefined {
  if (candidates.length === 0) return undefined;
  const lowest = Math.min(...candidates.map(score));
  if (conversation !== undefined) {
    const own = rendezvousPick(conversation, candidates);
    if (own !== undefined && score(own) <= AFFINITY_SLACK_FACTOR * lowest + AFFINITY_SLACK_REQUESTS) return own;
  }
  return smoothWeightedPick(
    candidates.filter((candidate) => score(candidate) === lowest),
    credits,
  );
}

function score(candidate: LoadCandidate): number {
  return candidate.load / candidate.weight;
}

/** Every candidate gains its weight in credit; the richest is chosen and pays the total. */
function smoothWeightedPick<T extends LoadCandidate>(tied: readonly T[], credits: Map<string, number>): T {
  let chosen: T | undefined;
  let total = 0;
  for (const candidate of tied) {
    const credit = (credits.get(candidate.id) ?? 0) + candidate.weight;
    credits.set(candidate.id, credit);
    total += candidate.weight;
    if (chosen === undefined || credit > (credits.get(chosen.id) ?? 0)) chosen = candidate;
  }
  if (chosen === undefined) throw new Error('smoothWeightedPick needs a candidate');
  credits.set(chosen.id, (credits.get(chosen.id) ?? 0) - total);
  return chosen;
}
