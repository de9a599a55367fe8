// The configuration of `studio serve`; the one place that reads process.env.
import { readConfigFile } from './config-file.js';
import { loadOptions, redactOptions, resolveOptions, type OptionSources, type OptionValues, type RawFlags } from './load-options.js';
import { redactCatalog, resolveCatalog, type CatalogModel } from './model-catalog.js';
import { serverOptions } from './server-options.js';

export type ServerOptionValues = OptionValues<typeof serverOptions>;

export interface ServerConfig extends ServerOptionValues {
  /** The models to serve, every default filled in. */
  readonly models: readonly CatalogModel[];
  /** Where each option came from, e.g. `apiKeys: 'DASHSCOPE_API_KEY'`, so messages can say why a setting is on. */
  readonly sources: OptionSources<typeof serverOptions>;
}

const { config: configOption, ...fileOptions } = serverOptions;

export function loadServerConfig(flags: RawFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const { config: path } = loadOptions({ config: configOption }, flags, env);
  const file = path === undefined ? undefined : readConfigFile(path, Object.keys(fileOptions));
  const { values: options, sources } = resolveOptions(serverOptions, flags, env, file && { path: file.path, values: file.options });
  const models = resolveCatalog(options, file, env);
  return Object.freeze({ ...options, models, sources });
}

/** The configuration as it may be logged: secret options and upstream keys hidden. */
export function redactServerConfig(config: ServerConfig): Record<string, unknown> {
  const { models, sources, ...options } = config;
  return { ...redactOptions(serverOptions, options), models: redactCatalog(models), sources };
}
