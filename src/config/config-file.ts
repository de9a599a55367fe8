// Reads a config file (JSON or YAML): server options by their names plus the `models` list.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './load-options.js';

export interface ConfigFile {
  readonly path: string;
  /** Server options, keyed as in the option schema (e.g. `maxQueue`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The `models` list as written, validated later against the catalog schema. */
  readonly models: unknown;
}

function parseText(path: string, text: string): unknown {
  try {
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`The config file ${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function readConfigFile(path: string, optionKeys: readonly string[]): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Cannot read the config file ${path}: ${reason}. Pass an existing file with --config (or STUDIO_CONFIG).`);
  }
  const document = parseText(path, text);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ConfigError(`The config file ${path} must hold an object such as { "models": [ … ], "port": 8000 }.`);
  }
  const { models, ...options } = document as Record<string, unknown>;
  const unknown = Object.keys(options).filter((key) => !optionKeys.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(`Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')} in the config file ${path}. Known fields: models, ${optionKeys.join(', ')}.`);
  }
  return { path, options, models };
}
