// What /ready waits for: the pinned local models, each loaded or not yet; upstream and on-demand models are not waited for.
import type { CatalogModel } from '../config/model-catalog.js';
import type { LlamaModelPool } from '../engines/llama/llama-model-pool.js';
import type { RequiredModels } from '../http/readiness.js';

export function pinnedModelStates(pool: LlamaModelPool, catalog: readonly CatalogModel[]): RequiredModels {
  const pinned = catalog.filter((model) => model.kind === 'local' && model.pinned).map((model) => model.name);
  return () => Object.fromEntries(pinned.map((name) => [name, pool.loadedEngine(name) === undefined ? 'loading' : 'loaded']));
}
