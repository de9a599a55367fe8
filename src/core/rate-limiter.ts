// The contract of per-key rate limits: requests, tokens and concurrency over a sliding minute.

/** The limits a rate limiter enforces; a key's `KeyLimits` carries them. */
export interface RateLimits {
  readonly rpm?: number;
  readonly tpm?: number;
  readonly concurrency?: number;
}

export interface LimitState {
  readonly limit: number;
  readonly remaining: number;
  /** Until the window is back to its full limit. */
  readonly resetMs: number;
}

export interface Admission {
  /** For the x-ratelimit-* headers. */
  readonly requests?: LimitState;
  readonly tokens?: LimitState;
  /** Settles the token reservation with the real count and ends the concurrency hold. Idempotent. */
  settle(actualTokens: number): Promise<void>;
}

export interface RateLimiter {
  /** Throws RateLimitedError (retryAfterSeconds set) when rpm, tpm or concurrency would be exceeded; counts nothing then. */
  admit(keyId: string, limits: RateLimits, reserveTokens: number): Promise<Admission>;
  close(): Promise<void>;
}
