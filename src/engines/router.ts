// Routes each request by model name or alias to the engine that serves it, with the model's catalog defaults and price.
import { applyModelDefaults } from '../core/apply-model-defaults.js';
import type { ChatRequest } from '../core/chat-request.js';
import type { Engine, GenerateOptions, ModelInfo } from '../core/engine.js';
import { ModelNotFoundError } from '../core/errors.js';
import type { GenerationEvent, Usage } from '../core/generation-event.js';
import { answersTo, type CatalogEntry } from '../core/model-catalog.js';
import { priceUsage } from '../core/pricing.js';

export interface RoutedModel {
  readonly entry: CatalogEntry;
  /** Serves the entry under its canonical name. */
  readonly engine: Engine;
}

export class EngineRouter implements Engine {
  readonly specificationVersion = 'v1';
  readonly #models: readonly RoutedModel[];

  constructor(models: readonly RoutedModel[]) {
    this.#models = models;
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
      };
    });
  }

  async *generate(request: ChatRequest, options: GenerateOptions): AsyncGenerator<GenerationEvent> {
    const routed = this.#models.find(({ entry }) => answersTo(entry, request.model));
    if (routed === undefined) throw new ModelNotFoundError(request.model, this.#models.map(({ entry }) => ({ id: entry.name, aliases: entry.aliases })));
    const { entry, engine } = routed;
    const applied = applyModelDefaults(request, entry);
    const { onUsage } = options;
    const priced = (usage: Usage): Usage => {
      if (entry.price === undefined) return usage;
      const thinking = applied.thinking?.enabled === true || (usage.reasoningTokens ?? 0) > 0;
      return { ...usage, cost: priceUsage(entry.price, usage, thinking) };
    };
    yield* engine.generate(applied, { ...options, onUsage: onUsage && ((usage) => onUsage(priced(usage))) });
  }

  async dispose(): Promise<void> {
    await Promise.all([...new Set(this.#models.map(({ engine }) => engine))].map((engine) => engine.dispose()));
  }
}
