// What `studio pull` and `studio rm` act on: a model of the catalog by name or alias, a source as written, or a file in the models folder.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LocalCatalogModel, UpstreamCatalogModel } from '../config/model-catalog.js';
import { isRemoteSource, ModelSourceError, parseModelSource, type ModelSource } from '../engines/llama/model-source.js';

export type CatalogRow = Pick<LocalCatalogModel, 'kind' | 'name' | 'aliases' | 'source'> | Pick<UpstreamCatalogModel, 'kind' | 'name' | 'aliases'>;

export interface ModelTarget {
  readonly source: ModelSource;
  /** The catalog model the target named, if it named one. */
  readonly model?: Pick<LocalCatalogModel, 'name' | 'aliases' | 'source'>;
}

export function knownNames(catalog: readonly CatalogRow[]): string {
  return catalog.map((model) => (model.aliases.length > 0 ? `${model.name} (${model.aliases.join(', ')})` : model.name)).join(', ');
}

export function findModelTarget(target: string, catalog: readonly CatalogRow[], directory: string): ModelTarget {
  const model = catalog.find((entry) => entry.name === target || entry.aliases.includes(target));
  if (model?.kind === 'upstream') throw new ModelSourceError(`"${target}" is served by an upstream: it has no model file on this machine.`);
  if (model !== undefined) return { source: parseModelSource(model.source), model };
  if (isRemoteSource(target)) return { source: parseModelSource(target) };
  for (const path of [resolve(target), join(resolve(directory), target), join(resolve(directory), `${target}.gguf`)]) {
    if (existsSync(path)) return { source: parseModelSource(path) };
  }
  throw new ModelSourceError(
    `"${target}" is neither a model of the catalog nor a model source. Known models: ${knownNames(catalog) || 'none'}. ` +
      'A source is a Hugging Face URI such as hf:Qwen/Qwen3-0.6B-GGUF:Q8_0, a ModelScope URI such as modelscope:Qwen/Qwen3-0.6B-GGUF:Q8_0, ' +
        'an http(s) URL of a GGUF file, or the path of a GGUF file.',
  );
}
