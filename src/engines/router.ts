// Routes each request by model name or alias to the engine that serves it, with the model's catalog defaults, price and fallbacks.
import { applyModelDefaults } from '../core/apply-model-defaults.js';
import { hasImages, type ChatRequest } from '../core/chat-request.js';
import type { Engine, EngineStats, GenerateOptions, ModelInfo } from '../core/engine.js';
import { InvalidRequestError, ModelNotFoundError, ModelUnavailableError, OverloadedError, RateLimitedError } from '../core/errors.js';
import type { GenerationEvent, Usage } from '../core/generation-event.js';
import { answersTo, type CatalogEntry } from '../core/model-catalog.js';
import { priceUsage } from '../core/pricing.js';
import { startedIterable, type Started } from '../lib/started-iterable.js';

export interface RoutedModel {
  readonly entry: CatalogEntry;
  /** Serves the entry under its canonical name. */
  readonly engine: Engine;
}

/** Out of capacity for now (no endpoint up, queue full, model on its way): another model may serve instead. */
function isCapacityError(error: unknown): boolean {
  return error instanceof ModelUnavailableError || error instanceof OverloadedError || (error instanceof RateLimitedError && error.scope === 'queue');
}

/**
 * A key's admission reserves its rate limits once per request, whichever model serves it: a second
 * reservation would count the request twice and never be settled.
 */
function admitOnce(admit: GenerateOptions['admit']): GenerateOptions['admit'] {
  if (admit === undefined) return undefined;
  let admitted = false;
  return async (prompt) => {
    if (admitted) return;
    admitted = true;
    await admit(prompt);
  };
}

function priced(entry: CatalogEntry, request: ChatRequest, usage: Usage): Usage {
  if (entry.price === undefined) return usage;
  const thinking = request.thinking?.enabled === true || (usage.reasoningTokens ?? 0) > 0;
  return { ...usage, cost: priceUsage(entry.price, usage, thinking) };
}

export class EngineRouter implements Engine {
  readonly specificationVersion = 'v1';
  readonly #models: readonly RoutedModel[];

  constructor(models: readonly RoutedModel[]) {
    this.#models = models;
  }

  /** Each catalog model's own stats from its engine; a model whose engine tells none is left out. */
  modelStats(): readonly EngineStats[] {
    return this.#models.flatMap(({ entry, engine }) => engine.modelStats?.().filter((stats) => stats.model === entry.name) ?? []);
  }

  listModels(): readonly ModelInfo[] {
    return this.#models.map(({ entry, engine }) => {
      const served = engine.listModels().find((model) => model.id === entry.name);
      if (served === undefined) throw new Error(`the engine routed for ${entry.name} does not serve it`);
      return {
        ...served,
        aliases: entry.aliases,
        contextSize: entry.context,
        maxOutputTokens: entry.maxOutputTokens,
        maxInputTokens: entry.maxInputTokens,
        price: entry.price,
        thinking: entry.thinking,
        vision: entry.vision,
      };
    });
  }

  /**
   * The requested model; on a capacity error before its first event, its fallbacks (and theirs) depth
   * first, each model once. If none serves, the client gets the requested model's error, not that of
   * a model it did not ask for.
   */
  generate(request: ChatRequest, options: GenerateOptions): AsyncIterable<GenerationEvent> {
    return startedIterable(() => this.#route(request, options));
  }

  async #route(request: ChatRequest, options: GenerateOptions): Promise<Started<GenerationEvent>> {
    const requested = this.#find(request.model);
    if (requested === undefined) throw new ModelNotFoundError(request.model, this.#models.map(({ entry }) => ({ id: entry.name, aliases: entry.aliases })));
    const shared = { ...options, admit: admitOnce(options.admit) };
    const primary = await this.#start(requested, request, shared);
    if ('rest' in primary) return primary;
    if (isCapacityError(primary.error) && !options.signal.aborted) {
      const [, ...fallbacks] = this.#candidates(requested, new Set());
      for (const fallback of fallbacks) {
        const started = await this.#start(fallback, request, shared);
        if ('rest' in started) return started;
        if (options.signal.aborted) throw started.error;
      }
    }
    if (primary.usage !== undefined) options.onUsage?.(primary.usage);
    throw primary.error;
  }

  /**
   * Runs one model until its first event. Its usage is held until then: a model that fails first
   * reports it only if its error is the one the client gets. Once it has, the consumer reads the
   * engine's own iterator, and stopping it stops the engine.
   */
  async #start(
    routed: RoutedModel,
    request: ChatRequest,
    options: GenerateOptions,
  ): Promise<Started<GenerationEvent> | { readonly error: unknown; readonly usage: Usage | undefined }> {
    let held: Usage | undefined;
    let serving = false;
    const onUsage = (usage: Usage): void => {
      if (serving) options.onUsage?.(usage);
      else held = usage;
    };
    let rest: AsyncIterator<GenerationEvent>;
    let first: IteratorResult<GenerationEvent>;
    try {
      rest = this.#attempt(routed, request, { ...options, onUsage });
      first = await rest.next();
    } catch (error) {
      return { error, usage: held };
    }
    serving = true;
    if (held !== undefined) options.onUsage?.(held);
    return { first, rest };
  }

  async dispose(): Promise<void> {
    await Promise.all([...new Set(this.#models.map(({ engine }) => engine))].map((engine) => engine.dispose()));
  }

  #find(name: string): RoutedModel | undefined {
    return this.#models.find(({ entry }) => answersTo(entry, name));
  }

  /** The catalog forbids fallback cycles; `visited` keeps a model from being tried twice all the same. */
  *#candidates(routed: RoutedModel, visited: Set<string>): Generator<RoutedModel> {
    if (visited.has(routed.entry.name)) return;
    visited.add(routed.entry.name);
    yield routed;
    for (const name of routed.entry.fallbacks) {
      const fallback = this.#find(name);
      if (fallback !== undefined) yield* this.#candidates(fallback, visited);
    }
  }

  /** One model's try: its own image check, defaults and price. */
  #attempt({ entry, engine }: RoutedModel, request: ChatRequest, options: GenerateOptions & { onUsage: (usage: Usage) => void }): AsyncIterator<GenerationEvent> {
    if (!entry.vision && hasImages(request)) {
      throw new InvalidRequestError(`Model "${request.model}" does not accept images; send images to a model marked "vision: true".`, 'messages');
    }
    const applied = applyModelDefaults(request, entry);
    return engine.generate(applied, { ...options, onUsage: (usage) => options.onUsage(priced(entry, applied, usage)) })[Symbol.asyncIterator]();
  }
}
