// The balancing policy, as one pure function: least load per weight, or the conversation's own endpoint.
import { rendezvousPick, type RendezvousCandidate } from './rendezvous-pick.js';

export interface LoadCandidate extends RendezvousCandidate {
  /** Its position in the model's endpoint list; ties go round-robin in this order. */
  readonly index: number;
  /** Requests this Studio has outstanding on it plus the queue depth it reports. */
  readonly load: number;
}

/** How much busier than the least-loaded candidate a conversation's own endpoint may be: `load/weight > SLACK_FACTOR × least + SLACK_REQUESTS`. */
export const AFFINITY_SLACK_FACTOR = 2;
export const AFFINITY_SLACK_REQUESTS = 4;

/**
 * Without a conversation key: the candidate with the lowest load per weight; among equals, the
 * first at or after `cursor` in list order, so equal endpoints take turns.
 *
 * With one: the candidate rendezvous hashing gives that key, so one conversation keeps hitting one
 * upstream's prefix cache and moves only when that endpoint is out — unless its load per weight is
 * above twice the least-loaded candidate's plus 4, when the least-loaded one is taken instead, so
 * one hot conversation cannot melt one endpoint while others idle.
 */
export function chooseEndpoint<T extends LoadCandidate>(candidates: readonly T[], cursor: number, conversation?: string): T | undefined {
  let least: T | undefined;
  for (const candidate of candidates) {
    if (least === undefined || isBetter(candidate, least, cursor)) least = candidate;
  }
  if (least === undefined || conversation === undefined) return least;
  const own = rendezvousPick(conversation, candidates);
  if (own === undefined) return least;
  return score(own) > AFFINITY_SLACK_FACTOR * score(least) + AFFINITY_SLACK_REQUESTS ? least : own;
}

function score(candidate: LoadCandidate): number {
  return candidate.load / candidate.weight;
}

function isBetter(candidate: LoadCandidate, than: LoadCandidate, cursor: number): boolean {
  const difference = score(candidate) - score(than);
  if (difference !== 0) return difference < 0;
  // Equal load: indexes at or after the cursor take their turn before those it has passed.
  const candidateWrapped = candidate.index < cursor;
  if (candidateWrapped !== than.index < cursor) return !candidateWrapped;
  return candidate.index < than.index;
}
