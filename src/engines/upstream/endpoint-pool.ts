// The endpoints of one upstream-backed model: which one to try next, and which are out (down or busy) and for how long.
import type { ChatRequest } from '../../core/chat-request.js';
import type { EndpointStats, GenerationPriority } from '../../core/engine.js';
import { checkEndpointHealth } from './check-endpoint-health.js';
import { chooseEndpoint } from './choose-endpoint.js';
import { conversationKey } from './conversation-key.js';
import { endpointDisplay } from './endpoint-display.js';
import { readQueueDepth } from './read-queue-depth.js';
import type { UpstreamEndpointOptions, UpstreamOptions } from './upstream-options.js';

export interface Endpoint {
  readonly options: UpstreamEndpointOptions;
  /** Its position in the model's endpoint list. */
  readonly index: number;
  /** host:port of its URL, for logs and errors (never its key). */
  readonly display: string;
}

export interface EndpointChange {
  /** The endpoint's display name, host:port. */
  readonly endpoint: string;
  readonly state: 'down' | 'up' | 'busy';
  readonly reason?: string;
}

export interface EndpointPoolHooks {
  /** Called when an endpoint goes down, comes back up, or starts being skipped as busy. */
  onChange?(change: EndpointChange): void;
}

/** How often queue depth is read from an endpoint whose metrics answer, and how long one read may take. */
const METRICS_INTERVAL_MS = 1_000;
const METRICS_TIMEOUT_MS = 800;
/** How often it is retried when the endpoint has no metrics to read: a missing or broken metrics URL costs one request per half minute. */
const METRICS_BACKOFF_MS = 30_000;
/** How long a depth read before reads that time out or fail to connect still counts; past it, the queue counts as empty. */
const METRICS_STALE_MS = 10_000;
const MAX_HEALTH_TIMEOUT_MS = 5_000;
const DEFAULT_BUSY_MS = 1_000;

interface EndpointState {
  readonly endpoint: Endpoint;
  /** What affinity hashes over: the same across restarts and Studio replicas, so all of them agree. */
  readonly id: string;
  outstanding: number;
  queueDepth: number;
  /** When `queueDepth` was last read. */
  queueDepthAt: number;
  healthy: boolean;
  /** A check must start at or after this time for its pass to let the endpoint back. */
  downUntil: number;
  busyUntil: number;
  nextCheckAt: number;
  checking: boolean;
  healthTimer?: NodeJS.Timeout;
  metricsTimer?: NodeJS.Timeout;
}

/**
 * Balancing: the usable endpoint (healthy, not busy, not yet tried for this request) with the lowest
 * (outstanding + queue depth) / weight, ties taken in turn; with affinity, the conversation's own
 * endpoint (see chooseEndpoint). Health: every endpoint starts healthy and is checked at once, then
 * every `healthCheckIntervalMs`; a failed check or `markDown` takes it out for `cooldownMs`, after
 * which it is checked again and comes back only when a check started after the cooldown passes.
 */
export class EndpointPool {
  readonly #options: UpstreamOptions;
  readonly #hooks: EndpointPoolHooks;
  readonly #states: readonly EndpointState[];
  readonly #closing = new AbortController();
  readonly #healthTimeoutMs: number;
  /** Smooth weighted round-robin credits among equally loaded endpoints, by endpoint id. */
  readonly #credits = new Map<string, number>();

  constructor(options: UpstreamOptions, hooks: EndpointPoolHooks = {}) {
    this.#options = options;
    this.#hooks = hooks;
    this.#healthTimeoutMs = Math.min(MAX_HEALTH_TIMEOUT_MS, options.healthCheckIntervalMs);
    this.#states = options.endpoints.map((endpointOptions, index) => ({
      endpoint: { options: endpointOptions, index, display: endpointDisplay(endpointOptions.url) },
      id: `${endpointOptions.url}\n${endpointOptions.model}`,
      outstanding: 0,
      queueDepth: 0,
      queueDepthAt: 0,
      healthy: true,
      downUntil: 0,
      busyUntil: 0,
      nextCheckAt: 0,
      checking: false,
    }));
    for (const state of this.#states) {
      this.#scheduleCheck(state, 0);
      if (state.endpoint.options.metricsUrl !== undefined) this.#scheduleMetricsRead(state, 0);
    }
  }

  /**
   * Next endpoint to try, or undefined when every endpoint is down, busy or in `tried`. Batch work goes
   * only where the server's metrics report no queue, so it takes no place a live request waits for.
   */
  pick(request: ChatRequest, tried: ReadonlySet<Endpoint>, priority: GenerationPriority = 'live'): Endpoint | undefined {
    const now = Date.now();
    const candidates = this.#states
      .filter((state) => state.healthy && state.busyUntil <= now && !tried.has(state.endpoint) && (priority === 'live' || state.queueDepth === 0))
      .map((state) => ({ id: state.id, weight: state.endpoint.options.weight, load: state.outstanding + state.queueDepth, state }));
    const chosen = chooseEndpoint(candidates, this.#credits, this.#options.affinity ? conversationKey(request) : undefined);
    if (chosen === undefined) return undefined;
    return chosen.state.endpoint;
  }

  /** Whether the endpoint's metrics report requests waiting in its server's queue. */
  queued(endpoint: Endpoint): boolean {
    return this.#stateOf(endpoint).queueDepth > 0;
  }

  /** Each endpoint by host and port, whether it takes requests now and how many this instance has open on it. */
  stats(): readonly EndpointStats[] {
    return this.#states.map((state) => ({ endpoint: state.endpoint.display, healthy: state.healthy, inFlight: state.outstanding }));
  }

  /** Counts a request outstanding on `endpoint` until the returned function is called (idempotent). */
  begin(endpoint: Endpoint): () => void {
    const state = this.#stateOf(endpoint);
    state.outstanding += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      state.outstanding -= 1;
    };
  }

  /** Connection error, connect/first-token timeout, 5xx: out for the cooldown, back after a passing check. */
  markDown(endpoint: Endpoint, reason: string): void {
    const state = this.#stateOf(endpoint);
    const wasHealthy = state.healthy;
    state.healthy = false;
    state.downUntil = Date.now() + this.#options.cooldownMs;
    this.#scheduleCheck(state, this.#options.cooldownMs);
    if (wasHealthy) this.#hooks.onChange?.({ endpoint: endpoint.display, state: 'down', reason });
  }

  /** 429/503, with Retry-After or not: skipped for that long (default 1000 ms). */
  markBusy(endpoint: Endpoint, retryAfterMs: number | undefined): void {
    const state = this.#stateOf(endpoint);
    const now = Date.now();
    const forMs = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : DEFAULT_BUSY_MS;
    const wasBusy = state.busyUntil > now;
    state.busyUntil = Math.max(state.busyUntil, now + forMs);
    if (!wasBusy) this.#hooks.onChange?.({ endpoint: endpoint.display, state: 'busy', reason: `skipped for ${forMs} ms` });
  }

  /** Seconds until some endpoint may be usable again, for a 503's Retry-After (>= 1, whole seconds). */
  retryAfterSeconds(): number {
    const now = Date.now();
    let soonest = Infinity;
    for (const state of this.#states) {
      const upAt = state.healthy ? now : Math.max(state.downUntil, state.nextCheckAt);
      soonest = Math.min(soonest, Math.max(upAt, state.busyUntil));
    }
    return Number.isFinite(soonest) ? Math.max(1, Math.ceil((soonest - now) / 1000)) : 1;
  }

  /** Stops health checks and metrics reads, and aborts those in flight. */
  close(): void {
    this.#closing.abort();
    for (const state of this.#states) {
      clearTimeout(state.healthTimer);
      clearTimeout(state.metricsTimer);
    }
  }

  #stateOf(endpoint: Endpoint): EndpointState {
    const state = this.#states[endpoint.index];
    if (state?.endpoint !== endpoint) throw new Error(`endpoint ${endpoint.display} is not one of this pool's`);
    return state;
  }

  #scheduleCheck(state: EndpointState, delayMs: number): void {
    if (this.#closing.signal.aborted) return;
    clearTimeout(state.healthTimer);
    state.nextCheckAt = Date.now() + delayMs;
    state.healthTimer = setTimeout(() => void this.#check(state), delayMs).unref();
  }

  async #check(state: EndpointState): Promise<void> {
    // A check still in flight reschedules the next one when it ends.
    if (state.checking || this.#closing.signal.aborted) return;
    state.checking = true;
    const startedAt = Date.now();
    const result = await checkEndpointHealth(state.endpoint.options, this.#healthTimeoutMs, this.#closing.signal);
    state.checking = false;
    if (this.#closing.signal.aborted) return;
    const cooldownLeftMs = state.downUntil - Date.now();
    if (!result.healthy) {
      if (state.healthy) return this.markDown(state.endpoint, result.reason);
      return this.#scheduleCheck(state, cooldownLeftMs > 0 ? cooldownLeftMs : this.#options.healthCheckIntervalMs);
    }
    // A pass from a check begun during the cooldown does not end it early.
    if (startedAt < state.downUntil) return this.#scheduleCheck(state, Math.max(0, cooldownLeftMs));
    if (!state.healthy) {
      state.healthy = true;
      this.#hooks.onChange?.({ endpoint: state.endpoint.display, state: 'up' });
    }
    this.#scheduleCheck(state, this.#options.healthCheckIntervalMs);
  }

  #scheduleMetricsRead(state: EndpointState, delayMs: number): void {
    if (this.#closing.signal.aborted) return;
    state.metricsTimer = setTimeout(() => void this.#readMetrics(state), delayMs).unref();
  }

  async #readMetrics(state: EndpointState): Promise<void> {
    const { options } = state.endpoint;
    if (options.metricsUrl === undefined) return;
    const read = await readQueueDepth({ ...options, metricsUrl: options.metricsUrl }, METRICS_TIMEOUT_MS, this.#closing.signal);
    const now = Date.now();
    // Metrics are a hint: missing ones count as an empty queue and never take the endpoint out. A loaded
    // server that answers too slowly keeps its last depth for a while, and is read again at the usual pace.
    if ('depth' in read) {
      state.queueDepth = read.depth;
      state.queueDepthAt = now;
    } else if (read.failure === 'absent' || now - state.queueDepthAt > METRICS_STALE_MS) {
      state.queueDepth = 0;
    }
    this.#scheduleMetricsRead(state, 'failure' in read && read.failure === 'absent' ? METRICS_BACKOFF_MS : METRICS_INTERVAL_MS);
  }
}
