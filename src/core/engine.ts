// The contract between the HTTP edge and whatever produces tokens (embedded llama.cpp, upstream servers).
import type { ChatRequest } from './chat-request.js';
import type { GenerationEvent, Usage } from './generation-event.js';
import type { ModelPrice, ThinkingSupport } from './model-catalog.js';

export type ModelState = 'loaded' | 'loading' | 'unloaded';

export interface ModelInfo {
  /** The name clients send as `model`. */
  readonly id: string;
  /** Other names that reach the same model. */
  readonly aliases?: readonly string[];
  /** Tokens one request may use, prompt and output together. */
  readonly contextSize: number;
  readonly maxOutputTokens?: number;
  readonly maxInputTokens?: number;
  readonly price?: ModelPrice;
  /** From the catalog: whether and by default how the model thinks, and whether it takes images; engines leave them out. */
  readonly thinking?: ThinkingSupport;
  readonly vision?: boolean;
  /** Whether the weights are in memory; engines that do not load models leave it out. */
  readonly state?: ModelState;
  readonly ownedBy: string;
  /** Unix seconds. */
  readonly created: number;
}

export interface GenerateOptions {
  /** Aborted when the client goes away; the engine stops work and frees its resources. */
  readonly signal: AbortSignal;
  /**
   * Called once when the generation ends, however it ends (finished, failed or cancelled), with
   * the tokens actually evaluated and generated: the usage ledger's source.
   */
  readonly onUsage?: (usage: Usage) => void;
  /**
   * Awaited once the prompt is counted and fits the context, before the request waits for capacity:
   * a key's rate limits reserve the prompt and the most the reply may generate (all choices together),
   * and refuse the request by throwing. `onUsage` settles what was reserved.
   */
  readonly admit?: (prompt: { readonly inputTokens: number; readonly maxTokens: number }) => Promise<void>;
  /**
   * `live` (the default): a client is waiting. `batch`: work that may wait (a Batch API line); it runs
   * only on capacity live requests leave, never keeps a live request waiting longer than one scheduling
   * step, and may be stopped for one mid-generation, ending with PreemptedError (retry it later).
   */
  readonly priority?: GenerationPriority;
}

export type GenerationPriority = 'live' | 'batch';

/** One upstream endpoint as metrics show it: host and port only, never a key. */
export interface EndpointStats {
  readonly endpoint: string;
  readonly healthy: boolean;
  /** Requests this instance has open on it now. */
  readonly inFlight: number;
}

/** What one served model is doing now, read at scrape time by metrics. */
export interface EngineStats {
  /** The catalog name. */
  readonly model: string;
  /** Live requests generating now. */
  readonly running: number;
  /** Live requests admitted but waiting for capacity (a sequence, a load). */
  readonly waiting: number;
  /**
   * Batch-priority generations, counted apart from `running` and `waiting`: they give way to live
   * requests at once, so a model busy only with batch work still has its capacity for live traffic.
   */
  readonly batchRunning?: number;
  readonly batchWaiting?: number;
  /** Share (0–1) of the model's KV cache in use, where the engine can tell. */
  readonly kvCacheUsage?: number;
  /** Upstream engines only. */
  readonly endpoints?: readonly EndpointStats[];
}

/**
 * An engine yields `start` once the request is admitted (prompt validated, capacity held), then
 * deltas, then exactly one `finish` and one `usage`. Errors thrown before `start` are request
 * errors the edge can still answer with an HTTP status.
 */
export interface Engine {
  readonly specificationVersion: 'v1';
  listModels(): readonly ModelInfo[];
  generate(request: ChatRequest, options: GenerateOptions): AsyncIterable<GenerationEvent>;
  /** Each served model's load now; engines that cannot tell leave it out. */
  modelStats?(): readonly EngineStats[];
  dispose(): Promise<void>;
}
