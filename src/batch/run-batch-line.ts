// Runs one line of a batch through the engine as a live request runs, at batch priority, and stores its result with its ledger row.
import type { ChatRequest } from '../core/chat-request.js';
import { collectGeneration, type CollectedGeneration } from '../core/collect-generation.js';
import type { Engine, GenerateOptions } from '../core/engine.js';
import { isRenderable, toStudioError, type RenderableError } from '../core/errors.js';
import type { GenerationEvent, Usage } from '../core/generation-event.js';
import { ledgerTokens } from '../core/ledger-tokens.js';
import { batchCost } from '../core/pricing.js';
import type { BatchLine, BatchRecord, BatchStore, Ledger, LedgerClose } from '../core/store.js';

/** The wire a batch's lines are written in: bodies decoded as live requests are, results encoded as output and error file lines. */
export interface BatchLineCodec {
  /** Throws the StudioError a live request with this body would be answered with. */
  decode(body: string): ChatRequest;
  success(requestId: string, customId: string, model: string, generation: CollectedGeneration): string;
  failure(requestId: string, customId: string, error: RenderableError): string;
}

/** The owner's key limits on one line: `admit` as a live request's, `settle` once it ends. */
export interface LineGate {
  readonly admit?: GenerateOptions['admit'];
  settle(usage: Usage | undefined): Promise<void>;
}

export interface LineContext {
  readonly engine: Engine;
  readonly codec: BatchLineCodec;
  readonly batches: BatchStore;
  readonly ledger: Ledger;
  /** Throws when the owner may not run the line now (its key revoked); a RateLimitedError means later. */
  readonly gate: (owner: string) => Promise<LineGate>;
}

/** Capacity taken by live traffic, or a key's rate for now: the line waits and runs again. */
const RETRIED_CODES: ReadonlySet<string> = new Set(['preempted', 'overloaded', 'model_unavailable', 'rate_limited']);

export type LineOutcome = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly afterMs: number } | { readonly kind: 'stopped' };

/** The ledger's and the output line's id of a batch line: the same on every run of it. */
export function lineRequestId(batchId: string, index: number): string {
  return `${batchId}_${index}`;
}

function ledgerClose(requestId: string, usage: Usage | undefined, outcome: { modelServed?: string; finishReason?: string; errorCode?: string; durationMs: number }): LedgerClose {
  const cost = usage?.cost === undefined || outcome.errorCode !== undefined ? undefined : batchCost(usage.cost);
  return {
    requestId,
    modelServed: outcome.modelServed,
    ...ledgerTokens(usage),
    cost: cost?.total,
    currency: cost?.currency,
    durationMs: Math.round(outcome.durationMs),
    finishReason: outcome.finishReason,
    status: outcome.errorCode === undefined ? 'completed' : 'error',
    errorCode: outcome.errorCode,
  };
}

/**
 * The ledger row is committed before the line's result: a process killed between the two runs the
 * line again, and that run's close finds the row already closed and bills nothing twice.
 */
export async function runBatchLine(context: LineContext, batch: BatchRecord, line: BatchLine, signal: AbortSignal): Promise<LineOutcome> {
  const requestId = lineRequestId(batch.id, line.index);
  const store = (succeeded: boolean, text: string) => context.batches.finishLine(batch.id, { index: line.index, succeeded, line: text });
  let request: ChatRequest;
  try {
    request = context.codec.decode(line.body);
  } catch (error) {
    // As a live request refused before it reached the engine: a failed line, and no ledger row.
    const refused = toStudioError(error);
    if (!isRenderable(refused)) throw error;
    await store(false, context.codec.failure(requestId, line.customId, refused));
    return { kind: 'done' };
  }

  let gate: LineGate | undefined;
  const startedAt = new Date();
  const began = performance.now();
  let usage: Usage | undefined;
  let modelServed: string | undefined;
  const seen = async function* (events: AsyncIterable<GenerationEvent>) {
    for await (const event of events) {
      if (event.type === 'start') modelServed = event.model;
      yield event;
    }
  };
  const record = (close: LedgerClose): Promise<void> => {
    context.ledger.open({ requestId, startedAt, keyId: batch.owner === '' ? undefined : batch.owner, modelRequested: request.model, wire: 'batch', stream: false, n: request.n ?? 1 });
    return context.ledger.close(close);
  };
  try {
    gate = await context.gate(batch.owner);
    const events = context.engine.generate(request, { signal, onUsage: (counted) => (usage = counted), admit: gate.admit, priority: 'batch' });
    const generation = await collectGeneration(seen(events));
    const finishReason = generation.choices[0]?.finishReason.unified;
    await record(ledgerClose(requestId, usage, { modelServed, finishReason, durationMs: performance.now() - began }));
    await store(true, context.codec.success(requestId, line.customId, modelServed ?? request.model, generation));
    return { kind: 'done' };
  } catch (thrown) {
    if (signal.aborted) return { kind: 'stopped' };
    const error = toStudioError(thrown);
    if (RETRIED_CODES.has(error.code)) return { kind: 'retry', afterMs: (error.retryAfterSeconds ?? 1) * 1000 };
    if (!isRenderable(error)) throw thrown;
    await record(ledgerClose(requestId, usage, { modelServed, errorCode: error.code, durationMs: performance.now() - began }));
    await store(false, context.codec.failure(requestId, line.customId, error));
    return { kind: 'done' };
  } finally {
    await gate?.settle(usage);
  }
}
