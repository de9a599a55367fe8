// Speed of one reply as the page saw it: time to first token, and output tokens per second after it.

export interface ReplyTiming {
  /** `performance.now()` when the request left. */
  readonly sentAt: number;
  readonly firstOutputAt?: number;
  readonly lastOutputAt?: number;
}

export interface ReplyMetrics {
  readonly timeToFirstTokenMs?: number;
  readonly tokensPerSecond?: number;
}

/**
 * Tokens per second counts the tokens after the first over the time after the first, as llama.cpp and vLLM
 * report decode speed; the first token's wait is the time to first token. A reply of one token has no speed.
 */
export function replyMetrics(timing: ReplyTiming, completionTokens: number | undefined): ReplyMetrics {
  const { sentAt, firstOutputAt, lastOutputAt } = timing;
  if (firstOutputAt === undefined) return {};
  const decodeMs = lastOutputAt === undefined ? 0 : lastOutputAt - firstOutputAt;
  const speed = completionTokens !== undefined && completionTokens > 1 && decodeMs > 0 ? ((completionTokens - 1) * 1000) / decodeMs : undefined;
  return { timeToFirstTokenMs: firstOutputAt - sentAt, ...(speed === undefined ? {} : { tokensPerSecond: speed }) };
}
