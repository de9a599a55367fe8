// What an upstream-backed catalog model is built from: its endpoints and the rules for balancing, health and retries.

export interface UpstreamEndpointOptions {
  /** The OpenAI-compatible base URL, e.g. `http://10.0.0.11:8000/v1` (requests go to `${url}/chat/completions`). */
  readonly url: string;
  /** The model name sent upstream. */
  readonly model: string;
  /** Sent as `Authorization: Bearer …` on every request and health check; never logged. */
  readonly apiKey?: string;
  /** Share of traffic relative to the other endpoints (default 1). */
  readonly weight: number;
  /** Where its Prometheus metrics are read for queue depth; absent: none are read. */
  readonly metricsUrl?: string;
}

export interface UpstreamOptions {
  /** The catalog name this engine serves (what `listModels()` returns and `start.model` says). */
  readonly name: string;
  readonly endpoints: readonly UpstreamEndpointOptions[];
  /** Requests of one conversation (same system prompt and first user turn) go to the same endpoint. */
  readonly affinity: boolean;
  /** Tokens of one request, prompt and output together, as the catalog says. */
  readonly contextSize: number;
  /** Opening a connection (TCP and TLS); the wait for headers counts against `firstTokenTimeoutMs`. */
  readonly connectTimeoutMs: number;
  /** From sending the request to the first token (or the first byte of a blocking upstream). */
  readonly firstTokenTimeoutMs: number;
  /** Between active health checks of each endpoint. */
  readonly healthCheckIntervalMs: number;
  /** How long an endpoint that failed stays out before it is checked again. */
  readonly cooldownMs: number;
  /** Tries of one request across endpoints before its first byte, the first included. */
  readonly maxAttempts: number;
}
