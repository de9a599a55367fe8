// The models Studio serves: the config file's `models`, `--model` as a one-model catalog, or the built-in catalog.
import { basename } from 'node:path';
import { defaultCatalog } from './default-catalog.js';
import { ConfigError } from './load-options.js';
import { modelListSchema, type ModelEntryConfig } from './model-entry-schema.js';

/** A catalog entry with every default filled in. */
export interface CatalogModel extends Omit<ModelEntryConfig, 'context' | 'parallel'> {
  readonly context: number;
  readonly parallel: number;
}

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

export function resolveCatalog(settings: CatalogSettings, file?: { path: string; models: unknown }): readonly CatalogModel[] {
  const entries = entriesFor(settings, file);
  const known = new Set(entries.flatMap((entry) => [entry.name, ...entry.aliases]));
  const unknownPin = settings.pin.find((name) => !known.has(name));
  if (unknownPin !== undefined) throw new ConfigError(`--pin names "${unknownPin}", which is not in the catalog. Known models: ${[...known].join(', ')}.`);
  return Object.freeze(
    entries.map((entry) =>
      Object.freeze({
        ...entry,
        context: entry.context ?? settings.ctx,
        parallel: entry.parallel ?? settings.parallel,
        pinned: entry.pinned || settings.pin.includes(entry.name) || entry.aliases.some((alias) => settings.pin.includes(alias)),
      }),
    ),
  );
}
