// Token log-probabilities as both wires put them on a choice (PROTOCOL §5.1; OpenAI's `logprobs.content`).
import type { TokenAlternative, TokenLogprob } from '../core/generation-event.js';

function encodeAlternative({ token, logprob, bytes }: TokenAlternative): object {
  return { token, logprob, bytes };
}

/** `{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}` per answer token, in order. */
export function encodeTokenLogprobs(content: readonly TokenLogprob[]): object[] {
  return content.map((entry) => ({ ...encodeAlternative(entry), top_logprobs: entry.topLogprobs.map(encodeAlternative) }));
}
