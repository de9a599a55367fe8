// Routes each request to the engine that serves its model; to the HTTP edge it is just another Engine.
import type { ChatRequest } from '../core/chat-request.js';
import type { Engine, GenerateOptions, ModelInfo } from '../core/engine.js';
import { ModelNotFoundError } from '../core/errors.js';
import type { GenerationEvent } from '../core/generation-event.js';

export class EngineRouter implements Engine {
  readonly specificationVersion = 'v1';
  readonly #engines: readonly Engine[];

  constructor(engines: readonly Engine[]) {
    this.#engines = engines;
  }

  listModels(): readonly ModelInfo[] {
    return this.#engines.flatMap((engine) => engine.listModels());
  }

  async *generate(request: ChatRequest, options: GenerateOptions): AsyncGenerator<GenerationEvent> {
    const engine = this.#engines.find((candidate) => candidate.listModels().some((model) => model.id === request.model));
    if (engine === undefined) throw new ModelNotFoundError(request.model);
    yield* engine.generate(request, options);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.#engines.map((engine) => engine.dispose()));
  }
}
