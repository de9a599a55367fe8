// Starts a generation so request errors surface before any response byte, and reports how it began and ended.
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { ChatRequest } from '../core/chat-request.js';
import type { Engine } from '../core/engine.js';
import { ClientAbortedError, toStudioError } from '../core/errors.js';
import type { FinishReason, GenerationEvent, Usage } from '../core/generation-event.js';
import type { AppEnv } from './app-env.js';
import { ShutdownError } from './shutdown-error.js';

export type WireName = 'openai' | 'dashscope';

/** What is known of a request once it is admitted, before the engine has seen it. */
export interface GenerationStart {
  readonly startedAt: Date;
  /** The stored key it came with; absent for static keys and for no key. */
  readonly keyId: string | undefined;
  readonly wire: WireName;
  readonly stream: boolean;
  readonly n: number;
  /** The model as the client named it. */
  readonly modelRequested: string;
}

/**
 * How a generation ended. `error` is 'timeout' for a stream cut by the write timeout and 'shutdown'
 * for one ended at the shutdown deadline; otherwise it is the error's registry code.
 */
export type GenerationStatus = { readonly status: 'completed' | 'client_aborted' } | { readonly status: 'error'; readonly errorCode: string };

export type GenerationOutcome = GenerationStart &
  GenerationStatus & {
    /** The model that answered (an alias resolved), once the engine started. */
    readonly modelServed: string | undefined;
    /** What the engine evaluated and generated, however it ended: the same usage a finished reply shows. */
    readonly usage: Usage | undefined;
    readonly finishReason: FinishReason | undefined;
    /** Set when the generation ended by an error (a client abort included). */
    readonly error: unknown;
    /** Until the first text, thought or tool call; undefined when none came. */
    readonly ttftMs: number | undefined;
    /** Until the engine admitted it (its first event: capacity held); undefined when it never was. */
    readonly queuedMs?: number | undefined;
    readonly durationMs: number;
  };

/** Hears how each generation began and ended: the request log, the usage ledger and later metrics. */
export interface GenerationObserver {
  /** At admission; must not block. */
  onStart?(requestId: string, start: GenerationStart): void;
  /** The reply's final byte waits for a returned promise (the ledger's commit); it must not reject. */
  onEnd(requestId: string, outcome: GenerationOutcome): void | Promise<void>;
  /** An error that ended a stream after its first byte (never a client going away). */
  onStreamError?(requestId: string, error: unknown): void;
}

/** One observer that hands everything to each of `observers`, and ends once all of them have. */
export function allObservers(observers: readonly GenerationObserver[]): GenerationObserver {
  return {
    onStart: (requestId, start) => {
      for (const observer of observers) observer.onStart?.(requestId, start);
    },
    onEnd: async (requestId, outcome) => {
      await Promise.all(observers.map((observer) => observer.onEnd(requestId, outcome)));
    },
    onStreamError: (requestId, error) => {
      for (const observer of observers) observer.onStreamError?.(requestId, error);
    },
  };
}

function statusOf(error: unknown): GenerationStatus {
  if (error === undefined) return { status: 'completed' };
  if (error instanceof ShutdownError) return { status: 'error', errorCode: 'shutdown' };
  const { code } = toStudioError(error);
  return code === 'client_aborted' ? { status: 'client_aborted' } : { status: 'error', errorCode: code };
}

export interface GenerationCall {
  readonly request: ChatRequest;
  readonly wire: WireName;
  readonly stream: boolean;
}

/**
 * Awaits the engine's first event, so a bad request or a model that does not exist throws here and
 * is answered with an HTTP status. The returned iterable replays that event, then the rest; when the
 * consumer stops early its `finally` hands the stop on to the engine, which frees its sequence. The
 * iterable ends only once the observers have taken the outcome, so whatever follows its last event
 * (the JSON body, a stream's last frame) leaves after the ledger's commit.
 */
export async function startGeneration(
  c: Context<AppEnv>,
  engine: Engine,
  observer: GenerationObserver,
  { request, wire, stream }: GenerationCall,
): Promise<AsyncIterable<GenerationEvent>> {
  const requestId = c.get('requestId');
  // A key's allowed models and budget are checked before anything starts; its rate limits at the engine's admission.
  const gate = await c.get('keyGate')?.(request.model);
  const began = performance.now();
  const start: GenerationStart = {
    startedAt: new Date(),
    keyId: c.get('principal')?.keyId,
    wire,
    stream,
    n: request.n ?? 1,
    modelRequested: request.model,
  };
  observer.onStart?.(requestId, start);
  let usage: Usage | undefined;
  let modelServed: string | undefined;
  let finishReason: FinishReason | undefined;
  let ttftMs: number | undefined;
  let queuedMs: number | undefined;
  // The reply's final byte waits for the key's limits to be settled too, so its next request finds them free.
  const end = async (error: unknown): Promise<void> => {
    abort.release();
    const outcome = { ...start, ...statusOf(error), modelServed, usage, finishReason, error, ttftMs, queuedMs, durationMs: performance.now() - began };
    await Promise.all([gate?.settle(usage), observer.onEnd(requestId, outcome)]);
  };

  const onUsage = (counted: Usage): void => {
    usage = counted;
  };
  const abort = c.get('generationSignals').open((c.env as Partial<HttpBindings> | undefined)?.outgoing, () => c.req.raw);
  // The engine only saw an aborted signal; a client still there reads why.
  const stopAware = (error: unknown): unknown => (abort.stopped() ? new ShutdownError() : error);
  const iterator = engine.generate(request, { signal: abort.signal, onUsage, admit: gate?.admit })[Symbol.asyncIterator]();
  let first: IteratorResult<GenerationEvent>;
  try {
    first = await iterator.next();
    queuedMs = performance.now() - began;
  } catch (thrown) {
    const error = stopAware(thrown);
    await end(error);
    throw error;
  }

  const observe = (event: GenerationEvent): void => {
    if (event.type === 'start') modelServed = event.model;
    else if (event.type === 'finish') finishReason = event.finishReason;
    else if (ttftMs === undefined && (event.type === 'text-delta' || event.type === 'reasoning-delta' || event.type === 'tool-call')) {
      ttftMs = performance.now() - began;
    }
  };
  const over: IteratorResult<GenerationEvent> = { done: true, value: undefined };
  let stopping: Promise<void> | undefined;
  // A consumer only stops before the finish when its client has gone away.
  const stop = (error: unknown): Promise<void> =>
    (stopping ??= (async () => {
      await iterator.return?.();
      await end(error ?? (finishReason === undefined ? new ClientAbortedError() : undefined));
    })());
  const settle = (result: IteratorResult<GenerationEvent>): IteratorResult<GenerationEvent> | Promise<IteratorResult<GenerationEvent>> => {
    if (stopping !== undefined) return over;
    if (result.done === true) return stop(undefined).then(() => over);
    observe(result.value);
    return result;
  };
  const fail = async (thrown: unknown): Promise<never> => {
    const error = stopAware(thrown);
    await stop(error);
    throw error;
  };
  // A plain iterator rather than a generator: each event passes with one promise, not a generator's several.
  let pending: IteratorResult<GenerationEvent> | undefined = first;
  const replay: AsyncIterableIterator<GenerationEvent> = {
    next: () => {
      if (stopping !== undefined) return stopping.then(() => over);
      const result = pending;
      pending = undefined;
      return result === undefined ? iterator.next().then(settle, fail) : Promise.resolve(settle(result));
    },
    return: async () => {
      await stop(undefined);
      return over;
    },
    // A consumer that stops for a reason of its own (a write timeout) ends the generation with that reason.
    throw: async (reason: unknown) => {
      await stop(stopAware(reason));
      return over;
    },
    [Symbol.asyncIterator]: () => replay,
  };
  return replay;
}
