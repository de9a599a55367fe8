// Several GGUF models behind one Engine: each is loaded on its first request, and unloaded when least recently used or idle.
import type { ChatRequest, SamplingOptions } from '../../core/chat-request.js';
import type { Engine, EngineStats, GenerateOptions, ModelInfo, ModelState } from '../../core/engine.js';
import { ClientAbortedError, ModelNotFoundError, ModelUnavailableError, OverloadedError, StudioError } from '../../core/errors.js';
import type { GenerationEvent } from '../../core/generation-event.js';
import type { MemoryEstimate } from './estimate-memory.js';
import type { LlamaEngine } from './llama-engine.js';
import type { LlamaRuntime } from './llama-runtime.js';
import { cachedMemoryEstimate } from './memory-estimate-cache.js';

export interface PooledModel {
  /** The name requests arrive with (the router has resolved aliases). */
  readonly name: string;
  /** Anything `resolveSource` understands: a local path, an hf: URI, a URL. */
  readonly source: string;
  readonly contextSize: number;
  readonly maxInputTokens?: number;
  readonly parallel: number;
  readonly gpuLayers: number | 'auto' | 'max';
  /** Loaded by `loadPinned` and never unloaded. */
  readonly pinned: boolean;
}

export interface LlamaModelPoolOptions {
  readonly models: readonly PooledModel[];
  /** Models loaded at once; loading one more unloads the least recently used idle one. */
  readonly maxLoadedModels: number;
  /** RAM the loaded models may take together, as estimated from their GGUF files. */
  readonly memoryBudgetBytes: number;
  /** Time without requests after which a model that is not pinned is unloaded; 0: never. */
  readonly idleUnloadMs: number;
  /** How long a request waits for its model to download and load (or for room to load it) before a 503. */
  readonly loadTimeoutMs: number;
  /** llama.cpp, still loading (`loadLlamaRuntime`): the pool takes requests meanwhile, each waiting for its model as for any load; the pool disposes it. */
  readonly runtime: Promise<LlamaRuntime>;
  readonly threads: number;
  readonly defaultSampling: SamplingOptions;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  /** Turns a source into a local file, downloading it the first time. */
  readonly resolveSource: (source: string) => Promise<string>;
  /** Hears loads and unloads, for the log. */
  readonly onChange?: (change: PoolChange) => void;
  /** A JSON file that keeps models' memory estimates between starts (`cachedMemoryEstimate`); without it each start estimates afresh. */
  readonly memoryEstimatesFile?: string;
}

export type PoolChange =
  | { readonly type: 'loaded'; readonly model: string; readonly ramBytes: number; readonly ms: number }
  | { readonly type: 'unloaded'; readonly model: string; readonly reason: 'least-recently-used' | 'idle' }
  | { readonly type: 'load-failed'; readonly model: string; readonly error: unknown };

export interface PooledModelStats {
  readonly state: ModelState;
  /** Requests using or waiting for the model now. */
  readonly active: number;
  readonly loads: number;
  readonly unloads: number;
}

interface Slot {
  readonly model: PooledModel;
  engine: LlamaEngine | undefined;
  loading: Promise<LlamaEngine> | undefined;
  ramBytes: number;
  /** Reading the GGUF header takes a while; the file and its shape do not change between loads. */
  estimate: { readonly path: string; readonly memory: MemoryEstimate } | undefined;
  active: number;
  /** Those of `active` that are batch-priority. */
  batchActive: number;
  lastUsed: number;
  idleTimer: NodeJS.Timeout | undefined;
  loads: number;
  unloads: number;
}

const GIB = 1024 ** 3;

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(bytes < GIB ? 2 : 1)} GiB`;
}

export class LlamaModelPool implements Engine {
  readonly specificationVersion = 'v1';
  readonly #options: LlamaModelPoolOptions;
  readonly #runtime: Promise<LlamaRuntime>;
  readonly #slots: ReadonlyMap<string, Slot>;
  readonly #created = Math.floor(Date.now() / 1000);
  /** Loads and unloads run one at a time, so two loads never both count on the same free memory. */
  #changes: Promise<unknown> = Promise.resolve();
  /** Loads waiting for a busy model to go idle so it can be unloaded. */
  readonly #roomWaiters = new Set<() => void>();
  #disposed = false;

  private constructor(options: LlamaModelPoolOptions) {
    this.#options = options;
    this.#runtime = options.runtime;
    // Its failure is told by the load that waits for it (`loadPinned` at the latest), not as an unhandled rejection.
    this.#runtime.catch(() => undefined);
    this.#slots = new Map(
      options.models.map((model) => [
        model.name,
        { model, engine: undefined, loading: undefined, ramBytes: 0, estimate: undefined, active: 0, batchActive: 0, lastUsed: 0, idleTimer: undefined, loads: 0, unloads: 0 },
      ]),
    );
  }

  static create(options: LlamaModelPoolOptions): LlamaModelPool {
    const pinned = options.models.filter((model) => model.pinned).length;
    if (pinned > options.maxLoadedModels) {
      throw new RangeError(`${pinned} models are pinned but only ${options.maxLoadedModels} may be loaded at once`);
    }
    return new LlamaModelPool(options);
  }

  /**
   * Loads every pinned model, one after the other, and llama.cpp; the first failure is thrown, for the caller to tell
   * rather than the log as well. Requests that arrive meanwhile wait for their model's load.
   */
  async loadPinned(): Promise<void> {
    // The first model's file is found (or its download starts) while llama.cpp still loads.
    for (const slot of this.#slots.values()) if (slot.model.pinned) await this.#startLoad(slot, false);
    // With no model pinned, a binding that cannot load still stops the start-up rather than a first request.
    await this.#runtime;
  }

  /** The engine of a loaded model. */
  loadedEngine(name: string): LlamaEngine | undefined {
    return this.#slots.get(name)?.engine;
  }

  stats(name: string): PooledModelStats {
    const slot = this.#slots.get(name);
    if (slot === undefined) throw new ModelNotFoundError(name);
    return { state: this.#state(slot), active: slot.active, loads: slot.loads, unloads: slot.unloads };
  }

  /**
   * Running requests hold a sequence; the rest of a model's active ones wait for one or for the load.
   * Each sequence holds an equal slice of the context, so the share of sequences in use stands for
   * KV-cache use. Batch work is counted apart: live requests take its sequences at once.
   */
  modelStats(): readonly EngineStats[] {
    return [...this.#slots.values()].map((slot) => {
      const stats = slot.engine?.stats;
      const batchRunning = stats?.batchSequencesInUse ?? 0;
      const running = (stats?.sequencesInUse ?? 0) - batchRunning;
      return {
        model: slot.model.name,
        running,
        waiting: Math.max(0, slot.active - slot.batchActive - running),
        batchRunning,
        batchWaiting: Math.max(0, slot.batchActive - batchRunning),
        kvCacheUsage: stats === undefined ? 0 : running / stats.sequences,
      };
    });
  }

  listModels(): readonly ModelInfo[] {
    return [...this.#slots.values()].map((slot) => ({
      id: slot.model.name,
      contextSize: slot.model.contextSize,
      maxInputTokens: slot.model.maxInputTokens,
      state: this.#state(slot),
      ownedBy: 'studio',
      created: this.#created,
    }));
  }

  async *generate(request: ChatRequest, options: GenerateOptions): AsyncGenerator<GenerationEvent> {
    const slot = this.#slots.get(request.model);
    if (slot === undefined) throw new ModelNotFoundError(request.model);
    const batch = options.priority === 'batch' ? 1 : 0;
    slot.active++;
    slot.batchActive += batch;
    clearTimeout(slot.idleTimer);
    try {
      const engine = await this.#ready(slot, options.signal);
      yield* engine.generate(request, options);
    } finally {
      slot.active--;
      slot.batchActive -= batch;
      slot.lastUsed = performance.now();
      this.#scheduleIdleUnload(slot);
      for (const wake of this.#roomWaiters) wake();
    }
  }

  #state(slot: Slot): ModelState {
    if (slot.engine !== undefined) return 'loaded';
    return slot.loading === undefined ? 'unloaded' : 'loading';
  }

  /** The model's engine once loaded; a request gives up waiting after the load timeout, while the load goes on. */
  async #ready(slot: Slot, signal: AbortSignal): Promise<LlamaEngine> {
    if (slot.engine !== undefined) return slot.engine;
    const loading = this.#startLoad(slot);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const seconds = Math.ceil(this.#options.loadTimeoutMs / 1000);
        reject(new ModelUnavailableError(`The model ${slot.model.name} is still being downloaded or loaded; retry in a little while.`, seconds));
      }, this.#options.loadTimeoutMs);
      onAbort = () => reject(new ClientAbortedError());
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      if (signal.aborted) throw new ClientAbortedError();
      return await Promise.race([loading, gaveUp]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }

  /** One load per model however many requests ask at once. */
  #startLoad(slot: Slot, reportFailure = true): Promise<LlamaEngine> {
    if (slot.engine !== undefined) return Promise.resolve(slot.engine);
    if (slot.loading === undefined) {
      const loading = this.#load(slot);
      slot.loading = loading;
      // Requests that gave up waiting no longer listen; the failure still reaches the log.
      loading.then(
        () => (slot.loading = undefined),
        (error: unknown) => {
          slot.loading = undefined;
          if (reportFailure) this.#options.onChange?.({ type: 'load-failed', model: slot.model.name, error });
        },
      );
    }
    return slot.loading;
  }

  async #load(slot: Slot): Promise<LlamaEngine> {
    const startedAt = performance.now();
    const { model } = slot;
    let path: string;
    try {
      // Downloads may run side by side; only the loading itself takes turns.
      path = await this.#options.resolveSource(model.source);
    } catch (error) {
      if (error instanceof StudioError) throw error;
      throw new ModelUnavailableError(`The model ${model.name} could not be fetched: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
    }
    const { llama, LlamaEngine, estimateMemory } = await this.#runtime;
    return this.#exclusively(async () => {
      if (slot.estimate?.path !== path) {
        const shape = { contextSize: model.contextSize, sequences: model.parallel, gpuLayers: model.gpuLayers };
        const memory = await cachedMemoryEstimate(this.#options.memoryEstimatesFile, estimateMemory, llama, path, shape);
        slot.estimate = { path, memory };
      }
      const estimate = slot.estimate.memory;
      const budget = this.#options.memoryBudgetBytes;
      if (estimate.ramBytes > budget) {
        throw new ModelUnavailableError(
          `The model ${model.name} needs about ${gib(estimate.ramBytes)} of memory with a context of ${model.contextSize} tokens × ${model.parallel} sequences, ` +
            `more than the memory budget of ${gib(budget)}. Raise --memory-budget, or give the model a smaller "context" or "parallel", or use a smaller quantization.`,
        );
      }
      const vram = estimate.vramBytes > 0 ? await llama.getVramState() : undefined;
      if (vram !== undefined && estimate.vramBytes > vram.total) {
        throw new ModelUnavailableError(
          `The model ${model.name} needs about ${gib(estimate.vramBytes)} of GPU memory, more than the ${gib(vram.total)} the GPU has. Give it fewer "gpuLayers".`,
        );
      }
      await this.#makeRoom(slot, estimate.ramBytes);
      const engine = await LlamaEngine.load({
        llama,
        modelPath: path,
        modelName: model.name,
        contextSize: model.contextSize,
        maxInputTokens: model.maxInputTokens,
        parallel: model.parallel,
        threads: this.#options.threads,
        gpuLayers: model.gpuLayers,
        defaultSampling: this.#options.defaultSampling,
        maxQueue: this.#options.maxQueue,
        queueTimeoutMs: this.#options.queueTimeoutMs,
      });
      if (this.#disposed) {
        await engine.dispose();
        throw new OverloadedError('Studio is shutting down.');
      }
      slot.engine = engine;
      slot.ramBytes = estimate.ramBytes;
      slot.loads++;
      slot.lastUsed = performance.now();
      this.#options.onChange?.({ type: 'loaded', model: model.name, ramBytes: estimate.ramBytes, ms: Math.round(performance.now() - startedAt) });
      this.#scheduleIdleUnload(slot);
      return engine;
    });
  }

  /** Unloads least recently used idle models until the new one fits the count and the memory budget. */
  async #makeRoom(incoming: Slot, ramBytes: number): Promise<void> {
    const deadline = performance.now() + this.#options.loadTimeoutMs;
    for (;;) {
      const loaded = [...this.#slots.values()].filter((slot) => slot.engine !== undefined && slot !== incoming);
      const used = loaded.reduce((sum, slot) => sum + slot.ramBytes, 0);
      if (loaded.length < this.#options.maxLoadedModels && used + ramBytes <= this.#options.memoryBudgetBytes) return;
      const candidates = loaded.filter((slot) => !slot.model.pinned);
      if (candidates.length === 0) {
        throw new ModelUnavailableError(
          `The model ${incoming.model.name} does not fit next to the pinned models (${loaded.map((slot) => slot.model.name).join(', ')}). Raise --max-models or --memory-budget, or pin fewer models.`,
        );
      }
      const idle = candidates.filter((slot) => slot.active === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (idle !== undefined) {
        await this.#unload(idle, 'least-recently-used');
        continue;
      }
      await this.#roomFreed(deadline, incoming.model.name);
    }
  }

  /** Resolves when some request ends (a busy model may now be unloaded); fails at the deadline. */
  #roomFreed(deadline: number, name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#roomWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#roomWaiters.delete(wake);
        reject(new OverloadedError(`Every loaded model is busy, so ${name} cannot be loaded yet; retry in a little while.`));
      }, Math.max(0, deadline - performance.now()));
      this.#roomWaiters.add(wake);
    });
  }

  async #unload(slot: Slot, reason: 'least-recently-used' | 'idle'): Promise<void> {
    const engine = slot.engine;
    if (engine === undefined) return;
    slot.engine = undefined;
    slot.ramBytes = 0;
    slot.unloads++;
    clearTimeout(slot.idleTimer);
    await engine.dispose();
    this.#options.onChange?.({ type: 'unloaded', model: slot.model.name, reason });
  }

  #scheduleIdleUnload(slot: Slot): void {
    const idleMs = this.#options.idleUnloadMs;
    if (idleMs === 0 || slot.model.pinned || slot.active > 0 || slot.engine === undefined) return;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      void this.#exclusively(async () => {
        if (slot.active === 0 && performance.now() - slot.lastUsed >= idleMs - 1) await this.#unload(slot, 'idle');
      });
    }, idleMs);
    slot.idleTimer.unref();
  }

  #exclusively<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#changes.then(work, work);
    this.#changes = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#exclusively(async () => {
      for (const slot of this.#slots.values()) {
        clearTimeout(slot.idleTimer);
        const engine = slot.engine;
        slot.engine = undefined;
        await engine?.dispose();
      }
    });
    // A binding that never loaded has nothing to free; its failure was told where it was awaited.
    const runtime = await this.#runtime.catch(() => undefined);
    await runtime?.llama.dispose();
  }
}
