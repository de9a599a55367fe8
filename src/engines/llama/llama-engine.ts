// The embedded engine: one GGUF model, one context whose sequences serve concurrent requests.
import {
  getLlama,
  LlamaLogLevel,
  resolveChatWrapper,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaModel,
  type SequenceEvaluateOptions,
  type Token,
} from 'node-llama-cpp';
import type { ChatRequest, SamplingOptions } from '../../core/chat-request.js';
import type { Engine, GenerateOptions, ModelInfo } from '../../core/engine.js';
import { ClientAbortedError, ContextLengthExceededError, ModelNotFoundError } from '../../core/errors.js';
import type { FinishReason, GenerationEvent } from '../../core/generation-event.js';
import { StopTextBuffer } from '../../lib/stop-text-buffer.js';
import { tokenizeChat } from './chat-prompt.js';
import { SequencePool } from './sequence-pool.js';
import { TokenTextDecoder } from './token-text-decoder.js';

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
}

/** llama.cpp seeds are 32-bit; wires allow larger ones, which wrap around. */
const SEED_RANGE = 2 ** 32;

/**
 * Unset controls are off (node-llama-cpp would otherwise apply its own top-k 40 and top-p 0.95).
 * Penalties look at what this request generated, as the OpenAI and Model Studio APIs describe them.
 */
function evaluateOptions(sampling: SamplingOptions, generated: readonly Token[]): SequenceEvaluateOptions {
  const { repetitionPenalty, presencePenalty, frequencyPenalty } = sampling;
  const penalized = repetitionPenalty !== undefined || presencePenalty !== undefined || frequencyPenalty !== undefined;
  return {
    temperature: sampling.temperature ?? 0,
    topP: sampling.topP ?? 1,
    topK: sampling.topK ?? 0,
    ...(sampling.seed === undefined ? {} : { seed: sampling.seed % SEED_RANGE }),
    ...(penalized
      ? {
          repeatPenalty: {
            punishTokens: () => generated.slice(),
            penalty: repetitionPenalty ?? 1,
            presencePenalty: presencePenalty ?? 0,
            frequencyPenalty: frequencyPenalty ?? 0,
          },
        }
      : {}),
  };
}

export interface LlamaEngineStats {
  readonly sequences: number;
  readonly sequencesInUse: number;
  readonly waiting: number;
}

export class LlamaEngine implements Engine {
  readonly specificationVersion = 'v1';
  readonly #options: LlamaEngineOptions;
  readonly #llama: Llama;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #chatWrapper: ChatWrapper;
  readonly #pool: SequencePool;
  readonly #info: ModelInfo;
  #disposed = false;

  private constructor(options: LlamaEngineOptions, llama: Llama, model: LlamaModel, context: LlamaContext) {
    this.#options = options;
    this.#llama = llama;
    this.#model = model;
    this.#context = context;
    // Resolving the wrapper blocks the event loop for a while, so it is done once per model.
    this.#chatWrapper = resolveChatWrapper(model);
    this.#pool = new SequencePool(context);
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
    return this.#chatWrapper.wrapperName;
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

  /** Exactly the tokens a request's messages become once formatted with the chat template. */
  tokenizeMessages(request: Pick<ChatRequest, 'messages'>): Token[] {
    return tokenizeChat(this.#model, this.#chatWrapper, request.messages);
  }

  async *generate(request: ChatRequest, { signal }: GenerateOptions): AsyncGenerator<GenerationEvent> {
    if (request.model !== this.#info.id) throw new ModelNotFoundError(request.model);
    const prompt = this.tokenizeMessages(request);
    const contextSize = this.#context.contextSize;
    if (prompt.length >= contextSize) throw new ContextLengthExceededError(prompt.length, contextSize);
    const room = contextSize - prompt.length;
    const maxTokens = Math.min(request.maxTokens ?? room, room);

    using lease = await this.#pool.acquire(signal);
    const { sequence } = lease;
    await sequence.clearHistory();
    yield { type: 'start', model: this.#info.id, inputTokens: prompt.length };

    const decoder = new TokenTextDecoder((tokens) => this.#model.detokenize(tokens));
    const stopBuffer = new StopTextBuffer(request.stop);
    const generated: Token[] = [];
    let finishReason: FinishReason = { unified: 'stop', raw: 'eog' };
    const tokens = sequence.evaluate(prompt, evaluateOptions({ ...this.#options.defaultSampling, ...request.sampling }, generated));
    for await (const token of tokens) {
      if (signal.aborted) throw new ClientAbortedError();
      generated.push(token);
      const step = stopBuffer.push(decoder.push(token));
      if (step.emit) yield { type: 'text-delta', delta: step.emit, outputTokens: generated.length };
      if (step.stopped) {
        finishReason = { unified: 'stop', raw: 'stop-sequence' };
        break;
      }
      if (generated.length >= maxTokens) {
        finishReason = { unified: 'length', raw: generated.length >= room ? 'context-full' : 'max-tokens' };
        break;
      }
    }
    if (signal.aborted) throw new ClientAbortedError();
    if (finishReason.raw !== 'stop-sequence') {
      const rest = stopBuffer.push(decoder.flush());
      const tail = rest.stopped ? rest.emit : rest.emit + stopBuffer.flush();
      if (rest.stopped) finishReason = { unified: 'stop', raw: 'stop-sequence' };
      if (tail) yield { type: 'text-delta', delta: tail, outputTokens: generated.length };
    }
    yield { type: 'finish', finishReason };
    yield { type: 'usage', usage: { inputTokens: prompt.length, outputTokens: generated.length } };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#context.dispose();
    await this.#model.dispose();
    await this.#llama.dispose();
  }
}
