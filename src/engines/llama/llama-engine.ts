// The embedded engine: one GGUF model, one context whose sequences serve concurrent requests.
import { rm } from 'node:fs/promises';
import {
  LlamaGrammarEvaluationState,
  LlamaText,
  SpecialTokensText,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type { ChatRequest, SamplingOptions } from '../../core/chat-request.js';
import type { Engine, GenerateOptions, ModelInfo } from '../../core/engine.js';
import { ClientAbortedError, ContextLengthExceededError, InvalidRequestError, ModelNotFoundError, PreemptedError } from '../../core/errors.js';
import type { GenerationEvent, Usage } from '../../core/generation-event.js';
import { commonPrefixLength } from '../../lib/common-prefix-length.js';
import { mergeAsyncIterables } from '../../lib/merge-async-iterables.js';
import { readAhead } from '../../lib/read-ahead.js';
import { resolveChatFormat, type ChatFormat } from './chat-format.js';
import { draftPrompt, isForcedToolCall, planPrompt, type PromptPlan } from './chat-prompt.js';
import { generateReply, type ReplyCounters } from './generate-reply.js';
import { GrammarBuilder } from './grammar-builder.js';
import { toGrammarSchema } from './grammar-schema.js';
import { prefill, PrefillPacer } from './prefill.js';
import { PrefixSharing } from './prefix-sharing.js';
import { PromptLengthGuard } from './prompt-length-guard.js';
import { ReplyMemory } from './reply-memory.js';
import { LiveFirstGate } from './live-first-gate.js';
import { SequencePool } from './sequence-pool.js';

export interface LlamaEngineOptions {
  /** The llama.cpp binding the model is loaded with; shared by the engines of one process and not owned by any. */
  readonly llama: Llama;
  /** Local GGUF file. */
  readonly modelPath: string;
  /** The name clients send as `model`. */
  readonly modelName: string;
  /** Tokens per sequence: the most one request may use, prompt and output together. */
  readonly contextSize: number;
  /** The longest prompt accepted, when shorter than the context allows. */
  readonly maxInputTokens?: number;
  /** Sequences in the context, i.e. requests generating at the same time. */
  readonly parallel: number;
  /** CPU threads for evaluation; 0 lets llama.cpp choose. */
  readonly threads: number;
  /** Layers offloaded to the GPU, if the binding has one. */
  readonly gpuLayers: number | 'auto' | 'max';
  /** Sampling used for whatever a request leaves unset. */
  readonly defaultSampling: SamplingOptions;
  /** Requests that may wait for a free sequence; more are turned away with a 429. */
  readonly maxQueue: number;
  /** How long a request may wait for a free sequence before it is turned away with a 429. */
  readonly queueTimeoutMs: number;
}

type Phase = 'queued' | 'prefill' | 'decode';

export interface LlamaEngineStats {
  readonly sequences: number;
  readonly sequencesInUse: number;
  /** Those of `sequencesInUse` that batch-priority generations hold. */
  readonly batchSequencesInUse: number;
  /** Requests in each phase right now. */
  readonly phases: Readonly<Record<Phase, number>>;
  /** Requests whose client went away, by the phase they were in, since the engine started. */
  readonly cancelled: Readonly<Record<Phase, number>>;
}

/**
 * How much of a sequence's cache a prompt may keep. Only a cache holding most of the prompt (a
 * follow-up turn, a repeated request) is kept, as llama-server's slot similarity does: reusing a
 * short shared start saves little, and cached keys computed in a batch of another size differ in
 * their last bits, which would make the same seeded request answer differently after another one.
 * The last prompt token is always evaluated with the first sampling step, so it is never kept.
 */
function reusablePrefix(cached: readonly Token[], prompt: readonly Token[]): number {
  const common = commonPrefixLength(cached, prompt);
  return common > prompt.length * MIN_REUSED_FRACTION ? Math.min(common, prompt.length - 1) : 0;
}

const MIN_REUSED_FRACTION = 0.5;

/** Replies whose tokens are kept for the turns that send them back: a few for each of many conversations. */
const REMEMBERED_REPLIES = 1024;

/** Grammars kept for schemas that come again (a client's fixed response format, its tools). */
const CACHED_GRAMMARS = 32;

/** The JSON the grammar of a forced call admits: `{"name": <a tool>, "arguments": <its parameters>}`. */
function forcedCallSchema(request: ChatRequest): GbnfJsonSchema {
  const choice = request.toolChoice;
  const tools = (request.tools ?? []).filter((tool) => typeof choice !== 'object' || tool.name === choice.name);
  if (tools.length === 0) throw new InvalidRequestError('tool_choice names a function that is not among the tools.', 'tool_choice');
  const calls = tools.map((tool) => ({
    type: 'object',
    properties: { name: { const: tool.name }, arguments: toGrammarSchema(tool.parameters, `parameters of tool ${tool.name}`) },
    required: ['name', 'arguments'],
    additionalProperties: false,
  }));
  return (calls.length === 1 ? calls[0] : { oneOf: calls }) as GbnfJsonSchema;
}

export class LlamaEngine implements Engine {
  readonly specificationVersion = 'v1';
  readonly #options: LlamaEngineOptions;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #format: ChatFormat;
  readonly #thinkCloseTokens: readonly Token[];
  readonly #pool: SequencePool;
  readonly #pacer = new PrefillPacer();
  readonly #liveFirst = new LiveFirstGate();
  /** Its folder of state files is the engine's, removed with it. */
  readonly #sharing: PrefixSharing;
  readonly #answers: ReplyMemory;
  readonly #phases: Record<Phase, number> = { queued: 0, prefill: 0, decode: 0 };
  readonly #cancelled: Record<Phase, number> = { queued: 0, prefill: 0, decode: 0 };
  readonly #lengthGuard: PromptLengthGuard;
  /** The context asked for: llama.cpp rounds its own up (64 to 256), but a request may use no more than this. */
  readonly #contextSize: number;
  readonly #maxInputTokens: number;
  readonly #info: ModelInfo;
  #disposed = false;

  private constructor(options: LlamaEngineOptions, model: LlamaModel, context: LlamaContext, sharing: PrefixSharing) {
    this.#options = options;
    this.#model = model;
    this.#context = context;
    this.#sharing = sharing;
    this.#lengthGuard = new PromptLengthGuard(model);
    this.#contextSize = Math.min(options.contextSize, context.contextSize);
    this.#maxInputTokens = Math.min(this.#contextSize - 1, options.maxInputTokens ?? Infinity);
    this.#format = resolveChatFormat(model);
    // Special tokens written out: a reply holding any (a thought's tags) is not its text alone.
    this.#answers = new ReplyMemory(REMEMBERED_REPLIES, (tokens) => model.detokenize(tokens, true));
    const tags = this.#format.tags;
    this.#thinkCloseTokens = tags === undefined ? [] : LlamaText(new SpecialTokensText(`\n${tags.thinkClose}\n\n`)).tokenize(model.tokenizer);
    this.#pool = new SequencePool(context, { maxWaiting: options.maxQueue, maxWaitMs: options.queueTimeoutMs });
    this.#info = {
      id: options.modelName,
      contextSize: this.#contextSize,
      maxInputTokens: this.#maxInputTokens,
      ownedBy: 'studio',
      created: Math.floor(Date.now() / 1000),
    };
  }

  static async load(options: LlamaEngineOptions): Promise<LlamaEngine> {
    const model = await options.llama.loadModel({ modelPath: options.modelPath, gpuLayers: options.gpuLayers });
    try {
      const context = await model.createContext({
        contextSize: options.contextSize,
        sequences: options.parallel,
        ...(options.threads > 0 ? { threads: options.threads } : {}),
      });
      return new LlamaEngine(options, model, context, await PrefixSharing.inTempFolder());
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  get modelPath(): string {
    return this.#options.modelPath;
  }

  /** The chat wrapper chosen from the model's chat template (e.g. `Qwen`). */
  get chatTemplateName(): string {
    return this.#format.wrapper.wrapperName;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  get stats(): LlamaEngineStats {
    const pool = this.#pool;
    return { sequences: pool.size, sequencesInUse: pool.inUse, batchSequencesInUse: pool.batchInUse, phases: { ...this.#phases }, cancelled: { ...this.#cancelled } };
  }

  listModels(): readonly ModelInfo[] {
    return [this.#info];
  }

  /** The model's token ids for plain text. */
  tokenize(text: string): number[] {
    return this.#model.tokenize(text);
  }

  /** Exactly the tokens a request becomes once formatted with the chat template. */
  tokenizeMessages(request: Pick<ChatRequest, 'messages'> & Partial<ChatRequest>): Token[] {
    return planPrompt(this.#model, draftPrompt(this.#format, { model: this.#info.id, sampling: {}, stop: [], ...request }), this.#answers).tokens;
  }

  async *generate(request: ChatRequest, { signal: clientSignal, onUsage, admit, priority }: GenerateOptions): AsyncGenerator<GenerationEvent> {
    // Once a batch generation holds sequences, a live request that needs them stops it too.
    let signal = clientSignal;
    let phase: Phase | undefined;
    const enter = (next: Phase | undefined): void => {
      if (phase !== undefined) this.#phases[phase]--;
      if (next !== undefined) this.#phases[next]++;
      phase = next;
    };
    let finished = false;
    let failed = false;
    let promptTokens = 0;
    const evaluated = { cached: 0, prompt: 0 };
    const counters: ReplyCounters = { outputTokens: 0, reasoningTokens: 0 };
    const usage = (): Usage => ({
      // The last prompt token is evaluated with the first reply token, not by the prefill.
      inputTokens: finished || counters.outputTokens > 0 ? promptTokens : evaluated.cached + evaluated.prompt,
      outputTokens: counters.outputTokens,
      cachedInputTokens: evaluated.cached,
      // Reported when the request asked about thinking or the model thought: a plain reply's usage stays plain.
      ...(request.thinking !== undefined || counters.reasoningTokens > 0 ? { reasoningTokens: counters.reasoningTokens } : {}),
    });
    try {
      if (request.model !== this.#info.id) throw new ModelNotFoundError(request.model);
      const choices = request.n ?? 1;
      if (choices > this.#pool.size) throw new InvalidRequestError(`n may be at most ${this.#pool.size} here, the number of parallel sequences.`, 'n');
      const draft = draftPrompt(this.#format, request);
      await this.#lengthGuard.check(draft.prompt, this.#maxInputTokens, signal);
      const plan = planPrompt(this.#model, draft, this.#answers);
      promptTokens = plan.tokens.length;
      if (plan.tokens.length > this.#maxInputTokens) throw new ContextLengthExceededError(plan.tokens.length, this.#maxInputTokens);
      const grammar = await this.#grammarFor(request);
      const room = this.#contextSize - plan.tokens.length;
      await admit?.({ inputTokens: plan.tokens.length, maxTokens: Math.min(request.maxTokens ?? room, room) * choices });

      enter('queued');
      // Until its prompt is in, a live request keeps batch lines from adding their tokens to its steps.
      using liveFirst = priority === 'batch' ? undefined : this.#liveFirst.hold();
      // The lead sequence is the free one whose cache already holds most of this prompt; without one, the coldest.
      using lease = await this.#pool.acquire({ signal, count: choices, rank: (sequence) => reusablePrefix(sequence.contextTokens, plan.tokens), priority });
      signal = AbortSignal.any([clientSignal, lease.preempted]);
      enter('prefill');
      const [lead, ...others] = lease.sequences;
      if (lead === undefined) throw new Error('a lease holds at least one sequence');
      const inFlight = this.#sharing.begin(lead, plan.tokens);
      try {
        // Its own cache, or a long start (a shared system prompt) copied from another sequence.
        evaluated.cached = await this.#sharing.borrow(inFlight, reusablePrefix(lead.contextTokens, plan.tokens), this.#pool.idle, signal);
        if (lead.nextTokenIndex > evaluated.cached) await lead.eraseContextTokenRanges([{ start: evaluated.cached, end: lead.nextTokenIndex }]);
        await Promise.all(others.map((sequence) => sequence.clearHistory()));
        yield { type: 'start', model: this.#info.id, inputTokens: plan.tokens.length };

        // A batch prompt waits between chunks while a live one is evaluated, unless a request is copying from it.
        const holdForLive = async (): Promise<void> => {
          if (priority === 'batch') await this.#liveFirst.pass(AbortSignal.any([signal, inFlight.awaited]));
        };
        await inFlight.stepped(evaluated.cached);
        await holdForLive();
        await prefill(lead, plan.tokens.slice(evaluated.cached, -1), this.#pacer, signal, async (count) => {
          evaluated.prompt += count;
          await inFlight.stepped(evaluated.cached + evaluated.prompt);
          await holdForLive();
        });
      } finally {
        inFlight.end();
      }
      // Several answers share that one evaluation of the prompt.
      if (others.length > 0) await this.#sharing.copy(lead, others);
      enter('decode');
      liveFirst?.[Symbol.dispose]();
      lease.decoding();
      // Generation runs ahead of a slow reader, so it keeps its place in every batch, and its sequences
      // serve other requests from the last token on, however long the client takes to read the rest.
      const leaseSignal = signal;
      const beforeStep = priority === 'batch' ? () => this.#liveFirst.pass(leaseSignal) : undefined;
      yield* readAhead(this.#replies(request, plan, lease.sequences, grammar, counters, signal, beforeStep), (completed) => {
        lease[Symbol.dispose]();
        if (!completed) return;
        finished = true;
        enter(undefined);
      });
      yield { type: 'usage', usage: usage() };
    } catch (error) {
      const preempted = error instanceof ClientAbortedError && !clientSignal.aborted && signal.reason instanceof PreemptedError;
      failed = preempted || !(error instanceof ClientAbortedError);
      throw preempted ? signal.reason : error;
    } finally {
      if (phase !== undefined) {
        this.#phases[phase]--;
        // Short of failing, a generation ends early only because its client went away.
        if (!finished && !failed) this.#cancelled[phase]++;
      }
      onUsage?.(usage());
    }
  }

  /** Every answer's token loop, from the last prompt token on, merged into one stream of events. */
  #replies(
    request: ChatRequest,
    plan: PromptPlan,
    sequences: readonly LlamaContextSequence[],
    grammar: LlamaGrammar | undefined,
    counters: ReplyCounters,
    signal: AbortSignal,
    beforeStep: (() => Promise<void>) | undefined,
  ): AsyncIterable<GenerationEvent> {
    const room = this.#contextSize - plan.tokens.length;
    const sampling = { ...this.#options.defaultSampling, ...request.sampling };
    // Answers drawn with one seed would all be the same.
    const seed = sampling.seed ?? Math.floor(Math.random() * 2 ** 32);
    const replies = sequences.map((sequence, choice) =>
      generateReply({
        choice,
        sequence,
        plan,
        evaluate: plan.tokens.slice(-1),
        tags: this.#format.tags,
        detokenize: (tokens) => this.#model.detokenize(tokens),
        sampling: { ...sampling, seed: seed + choice },
        grammar: grammar === undefined ? undefined : new LlamaGrammarEvaluationState({ model: this.#model, grammar }),
        maxTokens: Math.min(request.maxTokens ?? room, room),
        limitedByContext: (request.maxTokens ?? room) >= room,
        stop: request.stop,
        stopTokens: request.stopTokens ?? [],
        topLogprobs: request.logprobs?.topLogprobs,
        thinkingBudget: request.thinking?.budgetTokens,
        thinkCloseTokens: this.#thinkCloseTokens,
        singleToolCall: request.parallelToolCalls !== true,
        counters,
        onAnswer: (text, tokens) => this.#answers.remember(text, tokens),
        signal,
        beforeStep,
      }),
    );
    return replies.length === 1 ? (replies[0] as AsyncGenerator<GenerationEvent>) : mergeAsyncIterables(replies);
  }

  /** Built on first use, so an engine never asked for a schema starts no worker. */
  #grammarBuilder: GrammarBuilder | undefined;

  /** The grammar that shapes the reply, if the request forces one; bad schemas are rejected before any work. */
  async #grammarFor(request: ChatRequest): Promise<LlamaGrammar | undefined> {
    const format = request.responseFormat;
    this.#grammarBuilder ??= new GrammarBuilder(this.#options.llama, CACHED_GRAMMARS);
    try {
      if (isForcedToolCall(request)) return await this.#grammarBuilder.forSchema(forcedCallSchema(request));
      if (format?.type === 'json_object') return await this.#options.llama.getGrammarFor('json');
      if (format?.type === 'json_schema') return await this.#grammarBuilder.forSchema(toGrammarSchema(format.schema, 'response_format schema'));
      return undefined;
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error;
      throw new InvalidRequestError(`The schema cannot be turned into a grammar: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#grammarBuilder?.dispose();
    await this.#context.dispose();
    await this.#model.dispose();
    await rm(this.#sharing.directory, { recursive: true, force: true });
  }
}
