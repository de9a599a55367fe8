// The embedded engine: one GGUF model, one context whose sequences serve concurrent requests.
import {
  getLlama,
  LlamaGrammarEvaluationState,
  LlamaLogLevel,
  LlamaText,
  SpecialTokensText,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type { ChatRequest, SamplingOptions } from '../../core/chat-request.js';
import type { Engine, GenerateOptions, ModelInfo } from '../../core/engine.js';
import { ContextLengthExceededError, InvalidRequestError, ModelNotFoundError } from '../../core/errors.js';
import type { GenerationEvent } from '../../core/generation-event.js';
import { commonPrefixLength } from '../../lib/common-prefix-length.js';
import { mergeAsyncIterables } from '../../lib/merge-async-iterables.js';
import { resolveChatFormat, type ChatFormat } from './chat-format.js';
import { isForcedToolCall, planPrompt } from './chat-prompt.js';
import { copySequenceState } from './copy-sequence-state.js';
import { generateReply, type ReplyCounters } from './generate-reply.js';
import { toGrammarSchema } from './grammar-schema.js';
import { prefill, PrefillPacer } from './prefill.js';
import { SequencePool } from './sequence-pool.js';

export interface LlamaEngineOptions {
  /** Local GGUF file. */
  readonly modelPath: string;
  /** The name clients send as `model`. */
  readonly modelName: string;
  /** Tokens per sequence: the most one request may use, prompt and output together. */
  readonly contextSize: number;
  /** Sequences in the context, i.e. requests generating at the same time. */
  readonly parallel: number;
  /** CPU threads for evaluation; 0 lets llama.cpp choose. */
  readonly threads: number;
  /** `false` forces the CPU; `'auto'` uses a GPU when one is found. */
  readonly gpu: 'auto' | false;
  /** Sampling used for whatever a request leaves unset. */
  readonly defaultSampling: SamplingOptions;
  /** Requests that may wait for a free sequence; more are turned away with a 429. */
  readonly maxQueue: number;
  /** How long a request may wait for a free sequence before it is turned away with a 429. */
  readonly queueTimeoutMs: number;
}

export interface LlamaEngineStats {
  readonly sequences: number;
  readonly sequencesInUse: number;
  readonly waiting: number;
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
  readonly #llama: Llama;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #format: ChatFormat;
  readonly #thinkCloseTokens: readonly Token[];
  readonly #pool: SequencePool;
  readonly #pacer = new PrefillPacer();
  readonly #info: ModelInfo;
  #disposed = false;

  private constructor(options: LlamaEngineOptions, llama: Llama, model: LlamaModel, context: LlamaContext) {
    this.#options = options;
    this.#llama = llama;
    this.#model = model;
    this.#context = context;
    this.#format = resolveChatFormat(model);
    const tags = this.#format.tags;
    this.#thinkCloseTokens = tags === undefined ? [] : LlamaText(new SpecialTokensText(`\n${tags.thinkClose}\n\n`)).tokenize(model.tokenizer);
    this.#pool = new SequencePool(context, { maxWaiting: options.maxQueue, maxWaitMs: options.queueTimeoutMs });
    this.#info = { id: options.modelName, contextSize: context.contextSize, ownedBy: 'studio', created: Math.floor(Date.now() / 1000) };
  }

  static async load(options: LlamaEngineOptions): Promise<LlamaEngine> {
    const llama = await getLlama({ gpu: options.gpu, logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: options.modelPath });
    try {
      const context = await model.createContext({
        contextSize: options.contextSize,
        sequences: options.parallel,
        ...(options.threads > 0 ? { threads: options.threads } : {}),
      });
      return new LlamaEngine(options, llama, model, context);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  /** The chat wrapper chosen from the model's chat template (e.g. `Qwen`). */
  get chatTemplateName(): string {
    return this.#format.wrapper.wrapperName;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  get stats(): LlamaEngineStats {
    return { sequences: this.#pool.size, sequencesInUse: this.#pool.inUse, waiting: this.#pool.waiting };
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
    return planPrompt(this.#model, this.#format, { model: this.#info.id, sampling: {}, stop: [], ...request }).tokens;
  }

  async *generate(request: ChatRequest, { signal }: GenerateOptions): AsyncGenerator<GenerationEvent> {
    if (request.model !== this.#info.id) throw new ModelNotFoundError(request.model);
    const choices = request.n ?? 1;
    if (choices > this.#pool.size) throw new InvalidRequestError(`n may be at most ${this.#pool.size} here, the number of parallel sequences.`, 'n');
    const plan = planPrompt(this.#model, this.#format, request);
    const contextSize = this.#context.contextSize;
    if (plan.tokens.length >= contextSize) throw new ContextLengthExceededError(plan.tokens.length, contextSize);
    const room = contextSize - plan.tokens.length;
    const grammar = await this.#grammarFor(request);

    // The lead sequence is the free one whose cache already holds most of this prompt; without one, the coldest.
    using lease = await this.#pool.acquire({ signal, count: choices, rank: (sequence) => reusablePrefix(sequence.contextTokens, plan.tokens) });
    const [lead, ...others] = lease.sequences;
    if (lead === undefined) throw new Error('a lease holds at least one sequence');
    const cached = reusablePrefix(lead.contextTokens, plan.tokens);
    if (lead.nextTokenIndex > cached) await lead.eraseContextTokenRanges([{ start: cached, end: lead.nextTokenIndex }]);
    await Promise.all(others.map((sequence) => sequence.clearHistory()));
    yield { type: 'start', model: this.#info.id, inputTokens: plan.tokens.length };

    await prefill(lead, plan.tokens.slice(cached, -1), this.#pacer, signal);
    // Several answers share that one evaluation of the prompt.
    if (others.length > 0) await copySequenceState(lead, others);
    const evaluate = plan.tokens.slice(-1);
    const sampling = { ...this.#options.defaultSampling, ...request.sampling };
    // Answers drawn with one seed would all be the same.
    const seed = sampling.seed ?? Math.floor(Math.random() * 2 ** 32);
    const counters: ReplyCounters = { outputTokens: 0, reasoningTokens: 0 };
    const replies = lease.sequences.map((sequence, choice) =>
      generateReply({
        choice,
        sequence,
        plan,
        evaluate,
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
        signal,
      }),
    );
    yield* replies.length === 1 ? (replies[0] as AsyncGenerator<GenerationEvent>) : mergeAsyncIterables(replies);
    yield {
      type: 'usage',
      usage: {
        inputTokens: plan.tokens.length,
        outputTokens: counters.outputTokens,
        cachedInputTokens: cached,
        // Reported when the request asked about thinking or the model thought: a plain reply's usage stays plain.
        ...(request.thinking !== undefined || counters.reasoningTokens > 0 ? { reasoningTokens: counters.reasoningTokens } : {}),
      },
    };
  }

  /** The grammar that shapes the reply, if the request forces one; bad schemas are rejected before any work. */
  async #grammarFor(request: ChatRequest): Promise<LlamaGrammar | undefined> {
    const format = request.responseFormat;
    try {
      if (isForcedToolCall(request)) return await this.#llama.createGrammarForJsonSchema<GbnfJsonSchema>(forcedCallSchema(request));
      if (format?.type === 'json_object') return await this.#llama.getGrammarFor('json');
      if (format?.type === 'json_schema') return await this.#llama.createGrammarForJsonSchema<GbnfJsonSchema>(toGrammarSchema(format.schema, 'response_format schema'));
      return undefined;
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error;
      throw new InvalidRequestError(`The schema cannot be turned into a grammar: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#context.dispose();
    await this.#model.dispose();
    await this.#llama.dispose();
  }
}
