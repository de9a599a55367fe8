// Starts a generation so request errors surface before any response byte, and reports how it ended.
import type { ChatRequest } from '../core/chat-request.js';
import type { Engine } from '../core/engine.js';
import { ClientAbortedError } from '../core/errors.js';
import type { FinishReason, GenerationEvent, Usage } from '../core/generation-event.js';

export interface GenerationOutcome {
  readonly model: string;
  readonly usage: Usage | undefined;
  readonly finishReason: FinishReason | undefined;
  /** Set when the generation ended by an error (a client abort included). */
  readonly error: unknown;
  readonly durationMs: number;
}

/** Hears how each generation ended; the usage ledger and the request log hang off this. */
export interface GenerationObserver {
  onEnd(requestId: string, outcome: GenerationOutcome): void;
  /** An error that ended a stream after its first byte (never a client going away). */
  onStreamError(requestId: string, error: unknown): void;
}

/**
 * Awaits the engine's first event, so a bad request or a model that does not exist throws here and
 * is answered with an HTTP status. The returned iterable replays that event, then the rest; when the
 * consumer stops early its `finally` hands the stop on to the engine, which frees its sequence.
 */
export async function startGeneration(
  engine: Engine,
  request: ChatRequest,
  signal: AbortSignal,
  onEnd: (outcome: GenerationOutcome) => void,
): Promise<AsyncIterable<GenerationEvent>> {
  const startedAt = performance.now();
  let usage: Usage | undefined;
  let finishReason: FinishReason | undefined;
  const end = (error: unknown): void =>
    onEnd({ model: request.model, usage, finishReason, error, durationMs: performance.now() - startedAt });

  const onUsage = (counted: Usage): void => {
    usage = counted;
  };
  const iterator = engine.generate(request, { signal, onUsage })[Symbol.asyncIterator]();
  let first: IteratorResult<GenerationEvent>;
  try {
    first = await iterator.next();
  } catch (error) {
    end(error);
    throw error;
  }

  async function* replay(): AsyncGenerator<GenerationEvent> {
    let error: unknown;
    try {
      for (let result = first; !result.done; result = await iterator.next()) {
        if (result.value.type === 'finish') finishReason = result.value.finishReason;
        yield result.value;
      }
    } catch (thrown) {
      error = thrown;
      throw thrown;
    } finally {
      await iterator.return?.();
      // A consumer only stops before the finish when its client has gone away.
      end(error ?? (finishReason === undefined ? new ClientAbortedError() : undefined));
    }
  }
  return replay();
}
