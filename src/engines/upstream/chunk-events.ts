// Turns an upstream's chat-completion chunks into core events: deltas, whole tool calls, logprobs, finishes and usage.
import { randomUUID } from 'node:crypto';
import { InvalidRequestError, UpstreamError } from '../../core/errors.js';
import type { FinishReason, GenerationEvent, TokenAlternative, TokenLogprob, UnifiedFinishReason, Usage } from '../../core/generation-event.js';

/** What is read from one chunk; servers differ, so every field is optional and checked before use. */
interface WireToolCallFragment {
  readonly index?: number;
  readonly id?: string;
  readonly function?: { readonly name?: string; readonly arguments?: string };
}

interface WireAlternative {
  readonly token?: string;
  readonly logprob?: number;
  readonly bytes?: readonly number[] | null;
}

interface WireChoice {
  readonly index?: number;
  readonly delta?: {
    readonly role?: string;
    readonly content?: string | null;
    readonly reasoning_content?: string | null;
    readonly reasoning?: string | null;
    readonly tool_calls?: readonly WireToolCallFragment[] | null;
  };
  readonly logprobs?: { readonly content?: readonly (WireAlternative & { readonly top_logprobs?: readonly WireAlternative[] })[] | null } | null;
  readonly finish_reason?: string | null;
}

export interface WireChunk {
  readonly choices?: readonly WireChoice[];
  readonly usage?: {
    readonly prompt_tokens?: number;
    readonly completion_tokens?: number;
    readonly prompt_tokens_details?: { readonly cached_tokens?: number } | null;
    readonly completion_tokens_details?: { readonly reasoning_tokens?: number } | null;
  } | null;
  readonly error?: { readonly message?: string; readonly code?: number | string } | string;
}

const FINISH_REASONS: Readonly<Record<string, UnifiedFinishReason>> = {
  stop: 'stop',
  eos: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

function mapFinishReason(raw: string): FinishReason {
  return { unified: FINISH_REASONS[raw] ?? 'other', raw };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function alternative(wire: WireAlternative): TokenAlternative {
  const token = wire.token ?? '';
  return { token, bytes: wire.bytes ?? [...Buffer.from(token, 'utf8')], logprob: wire.logprob ?? Number.NEGATIVE_INFINITY };
}

interface PendingCall {
  id: string | undefined;
  name: string;
  arguments: string;
}

/**
 * One per upstream stream. `push` maps a chunk as it comes; `end` is called after the last one (the
 * `[DONE]` marker, or the body's end) and throws if a choice never finished. Tool calls arrive in
 * fragments keyed by (choice, index); each is emitted whole just before its choice's finish.
 */
export class ChunkEvents {
  readonly #calls = new Map<number, Map<number, PendingCall>>();
  readonly #finished = new Set<number>();
  #usage: Usage | undefined;

  constructor(
    /** The answers asked for: each must finish. */
    readonly choices: number,
  ) {}

  /** The upstream's counts, once its usage chunk came; otherwise unknown. */
  get usage(): Usage {
    return this.#usage ?? { inputTokens: undefined, outputTokens: undefined };
  }

  push(chunk: WireChunk): GenerationEvent[] {
    if (chunk.error !== undefined) {
      const { message, code } = typeof chunk.error === 'string' ? { message: chunk.error, code: undefined } : chunk.error;
      const reason = String(message ?? 'no reason given').slice(0, 500);
      // vLLM reports a request it refuses after the stream began as an error chunk with code 400.
      if (Number(code) === 400 || Number(code) === 422) throw new InvalidRequestError(reason);
      throw new UpstreamError(`The upstream reported an error: ${reason}`);
    }
    const events: GenerationEvent[] = [];
    for (const wire of chunk.choices ?? []) events.push(...this.#choice(wire));
    if (chunk.usage) {
      const { prompt_tokens, completion_tokens, prompt_tokens_details, completion_tokens_details } = chunk.usage;
      const cached = count(prompt_tokens_details?.cached_tokens);
      const reasoning = count(completion_tokens_details?.reasoning_tokens);
      this.#usage = {
        inputTokens: count(prompt_tokens),
        outputTokens: count(completion_tokens),
        ...(cached === undefined ? {} : { cachedInputTokens: cached }),
        ...(reasoning === undefined ? {} : { reasoningTokens: reasoning }),
      };
    }
    return events;
  }

  /** After the last chunk: `done` says the upstream ended properly (`[DONE]`), so a choice it left open is finished as `other`. */
  end(done: boolean): GenerationEvent[] {
    const events: GenerationEvent[] = [];
    for (let choice = 0; choice < this.choices; choice++) {
      if (this.#finished.has(choice)) continue;
      if (!done) throw new UpstreamError('The upstream closed the stream before the reply was complete.');
      events.push(...this.#finish(choice, { unified: 'other', raw: undefined }));
    }
    return events;
  }

  *#choice(wire: WireChoice): Generator<GenerationEvent> {
    const choice = wire.index ?? 0;
    if (this.#finished.has(choice)) return;
    const content = wire.logprobs?.content;
    if (content && content.length > 0) {
      yield {
        type: 'logprobs',
        choice,
        content: content.map((token): TokenLogprob => ({ ...alternative(token), topLogprobs: (token.top_logprobs ?? []).map(alternative) })),
      };
    }
    const delta = wire.delta ?? {};
    // vLLM renamed reasoning_content to reasoning; a server sends one or the other.
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) yield { type: 'reasoning-delta', choice, delta: reasoning };
    if (delta.content) yield { type: 'text-delta', choice, delta: delta.content };
    for (const fragment of delta.tool_calls ?? []) this.#collect(choice, fragment);
    if (wire.finish_reason) yield* this.#finish(choice, mapFinishReason(wire.finish_reason));
  }

  #collect(choice: number, fragment: WireToolCallFragment): void {
    const calls = this.#calls.get(choice) ?? new Map<number, PendingCall>();
    this.#calls.set(choice, calls);
    const index = fragment.index ?? calls.size;
    const call = calls.get(index) ?? { id: undefined, name: '', arguments: '' };
    calls.set(index, call);
    call.id ??= fragment.id || undefined;
    // A name comes whole, in the call's first fragment; only arguments are streamed in pieces.
    if (call.name === '') call.name = fragment.function?.name ?? '';
    call.arguments += fragment.function?.arguments ?? '';
  }

  *#finish(choice: number, finishReason: FinishReason): Generator<GenerationEvent> {
    this.#finished.add(choice);
    const calls = [...(this.#calls.get(choice) ?? new Map<number, PendingCall>()).entries()].sort(([a], [b]) => a - b);
    for (const [position, [, call]] of calls.entries()) {
      yield { type: 'tool-call', choice, index: position, call: { id: call.id ?? `call_${randomUUID().replaceAll('-', '')}`, name: call.name, arguments: call.arguments } };
    }
    this.#calls.delete(choice);
    yield { type: 'finish', choice, finishReason };
  }
}
