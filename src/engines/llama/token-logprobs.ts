// Turns the sampler's distribution at one step into the log-probabilities a wire reports.
import type { Token } from 'node-llama-cpp';
import type { TokenAlternative, TokenLogprob } from '../../core/generation-event.js';

/** What OpenAI reports for a token whose probability is zero (JSON has no -Infinity). */
const ZERO_PROBABILITY_LOGPROB = -9999;

function alternative(token: Token, probability: number, text: (token: Token) => string): TokenAlternative {
  const piece = text(token);
  return { token: piece, bytes: [...Buffer.from(piece, 'utf8')], logprob: probability > 0 ? Math.log(probability) : ZERO_PROBABILITY_LOGPROB };
}

/** The `top` most likely tokens in one pass: the distribution may span the whole vocabulary. */
function mostLikely(probabilities: ReadonlyMap<Token, number>, top: number): [Token, number][] {
  const best: [Token, number][] = [];
  if (top === 0) return best;
  for (const entry of probabilities) {
    if (best.length === top && entry[1] <= (best[top - 1] as [Token, number])[1]) continue;
    const at = best.findIndex(([, probability]) => entry[1] > probability);
    best.splice(at === -1 ? best.length : at, 0, entry);
    if (best.length > top) best.pop();
  }
  return best;
}

export function tokenLogprob(token: Token, probabilities: ReadonlyMap<Token, number>, top: number, text: (token: Token) => string): TokenLogprob {
  return {
    ...alternative(token, probabilities.get(token) ?? 0, text),
    topLogprobs: mostLikely(probabilities, top).map(([candidate, probability]) => alternative(candidate, probability, text)),
  };
}
