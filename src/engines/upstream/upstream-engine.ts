// Serves one catalog model from OpenAI-compatible upstream servers: balanced, retried only before the first chunk, cancelled with its client, batch work giving way to live.
import { createParser } from 'eventsource-parser';
import { Agent, request as sendRequest } from 'undici';
import type { ChatRequest } from '../../core/chat-request.js';
import type { Engine, EngineStats, GenerateOptions, ModelInfo } from '../../core/engine.js';
import { ClientAbortedError, ModelNotFoundError, ModelUnavailableError, PreemptedError, StudioError, UpstreamError } from '../../core/errors.js';
import type { GenerationEvent } from '../../core/generation-event.js';
import { BatchLines } from './batch-lines.js';
import { chatCompletionBody } from './chat-completion-body.js';
import { ChunkEvents, type WireChunk } from './chunk-events.js';
import { completionChunk } from './completion-chunk.js';
import { type Endpoint, EndpointPool, type EndpointPoolHooks } from './endpoint-pool.js';
import { estimatePromptTokens } from './estimate-prompt-tokens.js';
import { retryAfterMs } from './retry-after.js';
import { upstreamStatusError } from './upstream-error.js';
import type { UpstreamOptions } from './upstream-options.js';

/** An error body is read this far for its message; the rest is dropped. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A blocking completion (an upstream that does not stream) larger than this is refused. */
const MAX_COMPLETION_BYTES = 16 * 1024 * 1024;
/** Between two pieces of a stream already flowing: a server that pauses longer than this has stalled. */
const MIN_STALL_MS = 60_000;
/** After `[DONE]`, how long the end of the body may take before the connection is dropped instead of reused. */
const DRAIN_MS = 1_000;

/** An attempt that failed before its first chunk, so another endpoint may be tried; `busy`: the endpoint is busy (429/503), not down. */
class RetryableFailure extends Error {
  constructor(
    readonly reason: string,
    readonly busy?: { readonly retryAfterMs: number | undefined },
  ) {
    super(reason);
  }
}

/** An upstream stream whose first data has arrived: from here on nothing is retried. */
interface OpenStream {
  readonly endpoint: Endpoint;
  readonly first: string;
  readonly rest: AsyncIterator<string>;
  /**
   * Stops counting the request against its endpoint. `ended`: the upstream said `[DONE]`, so the rest of
   * the body is read to keep the connection alive; otherwise the connection is closed, which is how the
   * upstream learns to stop generating.
   */
  close(ended: boolean): void;
}

/** The `data` of each event of an SSE body, as it arrives. */
async function* sseData(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const pending: string[] = [];
  const parser = createParser({ onEvent: (event) => void pending.push(event.data) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    yield* pending.splice(0);
  }
}

/** The start of a body as text, at most `maxBytes`, and whether that was all of it; the connection is dropped rather than read further. */
async function readPrefix(body: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number): Promise<{ text: string; whole: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) break;
    }
  } finally {
    body.destroy();
  }
  return { text: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'), whole: size <= maxBytes };
}

/** A blocking completion as the data of a stream: its one chunk, then the end. */
async function* completionData(completion: unknown): AsyncGenerator<string> {
  yield JSON.stringify(completionChunk(completion as Parameters<typeof completionChunk>[0]));
  yield '[DONE]';
}

function failureCode(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : error.message;
}

export class UpstreamEngine implements Engine {
  readonly specificationVersion = 'v1';
  readonly #options: UpstreamOptions;
  readonly #info: ModelInfo;
  readonly #pool: EndpointPool;
  readonly #agent: Agent;
  readonly #batchLines = new BatchLines();
  #disposed = false;

  constructor(options: UpstreamOptions, hooks?: EndpointPoolHooks) {
    this.#options = options;
    this.#info = { id: options.name, contextSize: options.contextSize, ownedBy: 'upstream', created: Math.floor(Date.now() / 1000) };
    this.#pool = new EndpointPool(options, hooks);
    this.#agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      // Our own timer bounds the wait for the first chunk; these only catch a server that stalls later.
      headersTimeout: Math.max(options.firstTokenTimeoutMs, MIN_STALL_MS),
      bodyTimeout: Math.max(options.firstTokenTimeoutMs, MIN_STALL_MS),
    });
  }

  listModels(): readonly ModelInfo[] {
    return [this.#info];
  }

  /** Requests waiting for an endpoint are not counted apart: an upstream queues them itself. Batch requests count apart from live ones, but in their endpoint's `inFlight`. */
  modelStats(): readonly EngineStats[] {
    const endpoints = this.#pool.stats();
    const batchRunning = this.#batchLines.size;
    const running = endpoints.reduce((sum, endpoint) => sum + endpoint.inFlight, 0) - batchRunning;
    return [{ model: this.#options.name, running, waiting: 0, batchRunning, batchWaiting: 0, endpoints }];
  }

  /**
   * A batch request goes only to an endpoint that reports no queue, never tries another when one is
   * busy (429/503: it ends with PreemptedError, to be retried after the endpoint's Retry-After), and is
   * stopped with PreemptedError when a live request finds its endpoint queueing or busy; that live
   * request then tries the same endpoint again, once the stopped request's connection is closed.
   */
  async *generate(request: ChatRequest, { signal: clientSignal, onUsage, admit, priority }: GenerateOptions): AsyncGenerator<GenerationEvent> {
    const events = new ChunkEvents(request.n ?? 1);
    const preemption = priority === 'batch' ? new AbortController() : undefined;
    const signal = preemption === undefined ? clientSignal : AbortSignal.any([clientSignal, preemption.signal]);
    try {
      if (request.model !== this.#info.id) throw new ModelNotFoundError(request.model);
      if (this.#disposed) throw new ModelUnavailableError(`The model "${this.#info.id}" is shutting down.`);
      const body = chatCompletionBody(request);
      const estimate = estimatePromptTokens(request);
      await admit?.({ inputTokens: estimate, maxTokens: (request.maxTokens ?? Math.max(1, this.#options.contextSize - estimate)) * events.choices });
      if (signal.aborted) throw new ClientAbortedError();

      const stream = await this.#open(request, body, signal, preemption);
      let data: string | undefined = stream.first;
      try {
        // Mapped before `start`, so an error the upstream sends as its first chunk still gets an HTTP status.
        const opening = data === '[DONE]' ? [] : events.push(this.#parse(data, stream.endpoint));
        yield { type: 'start', model: this.#info.id, inputTokens: undefined };
        yield* opening;
        if (data !== '[DONE]') data = await this.#next(stream.rest, signal);
        while (data !== undefined && data !== '[DONE]') {
          yield* events.push(this.#parse(data, stream.endpoint));
          data = await this.#next(stream.rest, signal);
        }
        yield* events.end(data === '[DONE]');
      } finally {
        stream.close(data === '[DONE]');
      }
      yield { type: 'usage', usage: events.usage };
    } catch (error) {
      const preempted = error instanceof ClientAbortedError && !clientSignal.aborted && preemption?.signal.aborted === true;
      throw preempted ? (preemption.signal.reason as PreemptedError) : error;
    } finally {
      onUsage?.(events.usage);
    }
  }

  /** Tries endpoints until one sends its first chunk, at most `maxAttempts` times; `batchLine` (batch work only) stops the request when a live one needs its place. */
  async #open(request: ChatRequest, body: Record<string, unknown>, signal: AbortSignal, batchLine: AbortController | undefined): Promise<OpenStream> {
    const tried = new Set<Endpoint>();
    let attempts = 0;
    let lastReason: string | undefined;
    while (attempts < this.#options.maxAttempts) {
      const endpoint = this.#pool.pick(request, tried, batchLine === undefined ? 'live' : 'batch');
      if (endpoint === undefined) break;
      attempts++;
      tried.add(endpoint);
      // A server that queues requests has no room left: a batch request of ours there makes some.
      if (batchLine === undefined && this.#pool.queued(endpoint)) await this.#batchLines.preemptNewest(endpoint);
      const endLoad = this.#pool.begin(endpoint);
      const endLine = batchLine === undefined ? undefined : this.#batchLines.hold(endpoint, batchLine);
      const release = (): void => {
        endLoad();
        endLine?.();
      };
      try {
        return await this.#attempt(endpoint, JSON.stringify({ model: endpoint.options.model, ...body }), signal, release);
      } catch (error) {
        release();
        if (!(error instanceof RetryableFailure)) throw error;
        lastReason = `${endpoint.display} ${error.reason}`;
        if (error.busy === undefined) {
          this.#pool.markDown(endpoint, error.reason);
          continue;
        }
        const madeRoom = batchLine === undefined ? this.#batchLines.preemptNewest(endpoint) : undefined;
        if (madeRoom !== undefined) {
          await madeRoom;
          tried.delete(endpoint);
          continue;
        }
        this.#pool.markBusy(endpoint, error.busy.retryAfterMs);
        if (batchLine !== undefined) break;
      }
    }
    const name = this.#info.id;
    if (batchLine !== undefined) {
      throw new PreemptedError(`No upstream endpoint of model "${name}" has room for batch work now${lastReason === undefined ? '' : ` (last: ${lastReason})`}; retry later.`, this.#pool.retryAfterSeconds());
    }
    const message =
      lastReason === undefined
        ? `No upstream endpoint of model "${name}" is available now: all are down or busy.`
        : `No upstream endpoint of model "${name}" could take the request (${tried.size} tried; last: ${lastReason}).`;
    throw new ModelUnavailableError(message, this.#pool.retryAfterSeconds());
  }

  /** One request to one endpoint, up to its first chunk; failures worth another endpoint throw RetryableFailure. */
  async #attempt(endpoint: Endpoint, body: string, signal: AbortSignal, release: () => void): Promise<OpenStream> {
    if (signal.aborted) throw new ClientAbortedError();
    const controller = new AbortController();
    // Aborting closes the connection at once, so the endpoint stops counting the request then, not when its consumer next reads.
    const abort = (): void => {
      controller.abort();
      release();
    };
    signal.addEventListener('abort', abort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#options.firstTokenTimeoutMs);
    const stop = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    };
    const failed = (error: unknown): Error => {
      stop();
      if (signal.aborted) return new ClientAbortedError();
      if (error instanceof StudioError || error instanceof RetryableFailure) return error;
      if (timedOut) return new RetryableFailure(`sent no first token within ${this.#options.firstTokenTimeoutMs} ms`);
      return new RetryableFailure(`failed: ${failureCode(error)}`);
    };

    const { apiKey, url } = endpoint.options;
    let response: Awaited<ReturnType<typeof sendRequest>>;
    try {
      response = await sendRequest(`${url.replace(/\/+$/, '')}/chat/completions`, {
        method: 'POST',
        dispatcher: this.#agent,
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
        },
        body,
      });
    } catch (error) {
      throw failed(error);
    }

    const { statusCode, headers } = response;
    if (statusCode < 200 || statusCode >= 300) {
      // The message is a courtesy: a body that breaks off leaves the status to say what happened.
      const { text } = await readPrefix(response.body, MAX_ERROR_BODY_BYTES).catch(() => ({ text: '' }));
      throw failed(this.#statusFailure(endpoint, statusCode, text, headers['retry-after']));
    }
    const blocking = String(headers['content-type'] ?? '').startsWith('application/json');
    let rest: AsyncGenerator<string>;
    let first: IteratorResult<string>;
    try {
      if (blocking) {
        const { text, whole } = await readPrefix(response.body, MAX_COMPLETION_BYTES);
        if (!whole) throw new UpstreamError(`The upstream for model "${this.#info.id}" (${endpoint.display}) sent a completion over ${MAX_COMPLETION_BYTES} bytes.`);
        rest = completionData(this.#parse(text, endpoint));
      } else {
        rest = sseData(response.body);
      }
      first = await rest.next();
    } catch (error) {
      response.body.destroy();
      throw failed(error);
    }
    clearTimeout(timer);
    if (first.done === true) {
      stop();
      throw new RetryableFailure('closed the stream before its first chunk');
    }
    return {
      endpoint,
      first: first.value,
      rest,
      close: (ended) => {
        stop();
        release();
        if (!ended) return void response.body.destroy();
        const drop = setTimeout(() => response.body.destroy(), DRAIN_MS).unref();
        void (async () => {
          try {
            while ((await rest.next()).done !== true);
          } catch {
            // Dropped by the timer, or broken after [DONE]: either way the reply was already whole.
          } finally {
            clearTimeout(drop);
          }
        })();
      },
    };
  }

  #statusFailure(endpoint: Endpoint, status: number, body: string, retryAfter: string | string[] | undefined): Error {
    if (status === 429 || status === 503) return new RetryableFailure(`answered HTTP ${status}`, { retryAfterMs: retryAfterMs(retryAfter) });
    // A gateway in front of the server could not reach it: as good as a connection error.
    if (status === 502 || status === 504) return new RetryableFailure(`answered HTTP ${status}`);
    return upstreamStatusError(status, body, { name: this.#info.id, model: endpoint.options.model, host: endpoint.display });
  }

  /** The next event's data mid-stream, or undefined at the body's end; a broken stream is an UpstreamError, never retried. */
  async #next(rest: AsyncIterator<string>, signal: AbortSignal): Promise<string | undefined> {
    try {
      const next = await rest.next();
      return next.done === true ? undefined : next.value;
    } catch (error) {
      if (signal.aborted) throw new ClientAbortedError();
      throw new UpstreamError(`The upstream for model "${this.#info.id}" broke off the stream: ${failureCode(error)}.`, { cause: error });
    }
  }

  #parse(data: string, endpoint: Endpoint): WireChunk {
    try {
      return JSON.parse(data) as WireChunk;
    } catch (error) {
      throw new UpstreamError(`The upstream for model "${this.#info.id}" (${endpoint.display}) sent a chunk that is not JSON.`, { cause: error });
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#pool.close();
    await this.#agent.destroy();
  }
}
