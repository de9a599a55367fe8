// The models Studio serves: the config file's `models`, `--model` as a one-model catalog, or the built-in catalog.
import { basename } from 'node:path';
import { defaultCatalog } from './default-catalog.js';
import { ConfigError } from './load-options.js';
import { modelListSchema, type LocalModelEntry, type ModelEntryConfig, type UpstreamModelEntry } from './model-entry-schema.js';

/** A local GGUF model with every default filled in. */
export interface LocalCatalogModel extends Omit<LocalModelEntry, 'context' | 'parallel'> {
  readonly context: number;
  readonly parallel: number;
}

/** One upstream endpoint as resolved: its model name, its key read from the environment, its metrics page. */
export interface UpstreamEndpoint {
  readonly url: string;
  readonly model: string;
  /** Never printed or logged: `redactCatalog` hides it. */
  readonly apiKey?: string;
  readonly weight: number;
  readonly metricsUrl?: string;
}

/** An upstream-served model with every default filled in; its times are in seconds. */
export interface UpstreamCatalogModel extends Omit<UpstreamModelEntry, 'context' | 'upstream'> {
  readonly context: number;
  readonly upstream: Omit<UpstreamModelEntry['upstream'], 'endpoints'> & { readonly endpoints: readonly UpstreamEndpoint[] };
}

export type CatalogModel = LocalCatalogModel | UpstreamCatalogModel;

export interface CatalogSettings {
  readonly model: string | undefined;
  readonly modelName: string | undefined;
  readonly ctx: number;
  readonly parallel: number;
  readonly pin: readonly string[];
}

/** `qwen3-0.6b-q8_0` for `hf:Qwen/Qwen3-0.6B-GGUF:Q8_0` (or `modelscope:`); the file name for a path, a URL or an hf: file. */
export function modelNameFromSource(source: string): string {
  const tagged = /^(?:hf|huggingface|modelscope):[^/]+\/([^/:]+):([^/]+)$/i.exec(source);
  const name = tagged === null ? basename(source.replace(/[?#].*$/, '')) : `${tagged[1]?.replace(/-gguf$/i, '')}-${tagged[2]}`;
  return name.replace(/\.gguf$/i, '').toLowerCase();
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

function parseModels(models: unknown, where: string): ModelEntryConfig[] {
  const parsed = modelListSchema.safeParse(models);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  models${issuePath(issue.path)}: ${issue.message}`);
  throw new ConfigError(`The model catalog in ${where} is invalid:\n${lines.join('\n')}\nSee "Models and the catalog" in the README for every field.`);
}

function resolveEndpoints(entry: UpstreamModelEntry, index: number, env: NodeJS.ProcessEnv): UpstreamEndpoint[] {
  return entry.upstream.endpoints.map(({ url, model, apiKey, apiKeyEnv, weight, metrics }, position) => {
    const key = apiKeyEnv === undefined ? apiKey : env[apiKeyEnv];
    if (apiKeyEnv !== undefined && (key === undefined || key === '')) {
      throw new ConfigError(
        `models[${index}].upstream.endpoints[${position}].apiKeyEnv names the environment variable ${apiKeyEnv}, which is not set. ` +
          `Set ${apiKeyEnv} to the key of ${url}, or give the key as "apiKey".`,
      );
    }
    const metricsUrl = metrics === true ? `${new URL(url).origin}/metrics` : metrics === false ? undefined : metrics;
    return { url, model: model ?? entry.name, weight, ...(key === undefined ? {} : { apiKey: key }), ...(metricsUrl === undefined ? {} : { metricsUrl }) };
  });
}

/** The catalog as it may be printed or logged: every upstream key hidden. */
export function redactCatalog(models: readonly CatalogModel[]): readonly CatalogModel[] {
  return models.map((model) =>
    model.kind === 'local'
      ? model
      : { ...model, upstream: { ...model.upstream, endpoints: model.upstream.endpoints.map((endpoint) => (endpoint.apiKey === undefined ? endpoint : { ...endpoint, apiKey: '***' })) } },
  );
}

function entriesFor(settings: CatalogSettings, file: { path: string; models: unknown } | undefined): ModelEntryConfig[] {
  if (settings.model !== undefined) {
    if (file?.models !== undefined) throw new ConfigError(`Both --model and the "models" of ${file.path} name models to serve; keep one of them.`);
    const name = settings.modelName ?? modelNameFromSource(settings.model);
    // One file served as it is: the chat template alone shapes the prompt, as in llama-server.
    return parseModels([{ name, source: settings.model, pinned: true, defaults: { systemPrompt: null } }], '--model');
  }
  if (file?.models !== undefined) return parseModels(file.models, file.path);
  return parseModels(defaultCatalog, 'the built-in catalog');
}

function answersTo(entry: ModelEntryConfig, name: string): boolean {
  return entry.name === name || entry.aliases.includes(name);
}

/** `env` holds the variables that upstream endpoints' `apiKeyEnv` name. */
export function resolveCatalog(settings: CatalogSettings, file?: { path: string; models: unknown }, env: NodeJS.ProcessEnv = {}): readonly CatalogModel[] {
  const entries = entriesFor(settings, file);
  for (const name of settings.pin) {
    const entry = entries.find((candidate) => answersTo(candidate, name));
    if (entry === undefined) {
      const known = entries.flatMap((candidate) => [candidate.name, ...candidate.aliases]);
      throw new ConfigError(`--pin names "${name}", which is not in the catalog. Known models: ${known.join(', ')}.`);
    }
    if (entry.kind === 'upstream') throw new ConfigError(`--pin names "${name}", which is served by an upstream: only a local model is loaded, and so pinned.`);
  }
  return Object.freeze(
    entries.map((entry, index): CatalogModel => {
      const context = entry.context ?? settings.ctx;
      if (entry.kind === 'upstream') return Object.freeze({ ...entry, context, upstream: { ...entry.upstream, endpoints: resolveEndpoints(entry, index, env) } });
      const pinned = entry.pinned || settings.pin.some((name) => answersTo(entry, name));
      return Object.freeze({ ...entry, context, parallel: entry.parallel ?? settings.parallel, pinned });
    }),
  );
}
