// The contract between the HTTP edge and whatever produces tokens (embedded llama.cpp, upstream servers).
import type { ChatRequest } from './chat-request.js';
import type { GenerationEvent, Usage } from './generation-event.js';

export interface ModelInfo {
  /** The name clients send as `model`. */
  readonly id: string;
  /** Tokens one request may use, prompt and output together. */
  readonly contextSize: number;
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
  dispose(): Promise<void>;
}
