// The configuration of `studio serve`; the one place that reads process.env.
import { readConfigFile } from './config-file.js';
import { ConfigError, loadOptions, redactOptions, resolveOptions, type OptionSources, type OptionValues, type RawFlags } from './load-options.js';
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

/**
 * The body limit when a catalog model takes images and nothing else sets one: a data URL of the 10 MiB
 * an image may hold is about 13.4 MiB of base64, which the 4 MiB default would refuse as a 413.
 */
export const VISION_MAX_BODY_BYTES = 16 * 1024 * 1024;

export function loadServerConfig(flags: RawFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const { config: path } = loadOptions({ config: configOption }, flags, env);
  const file = path === undefined ? undefined : readConfigFile(path, Object.keys(fileOptions));
  const { values: options, sources } = resolveOptions(serverOptions, flags, env, file && { path: file.path, values: file.options });
  if (options.metricsAuth === 'on' && options.adminKey === undefined) {
    throw new ConfigError(`--metrics-auth on (from ${sources.metricsAuth}) asks for the admin key, and none is set: pass --admin-key <key> or set STUDIO_ADMIN_KEY.`);
  }
  const models = resolveCatalog(options, file, env);
  if (sources.maxBodyBytes !== 'default' || !models.some((model) => model.vision)) return Object.freeze({ ...options, models, sources });
  const visionSources = Object.freeze({ ...sources, maxBodyBytes: 'default for a catalog with a vision model' });
  return Object.freeze({ ...options, maxBodyBytes: VISION_MAX_BODY_BYTES, models, sources: visionSources });
}

/** The configuration as it may be logged: secret options and upstream keys hidden. */
export function redactServerConfig(config: ServerConfig): Record<string, unknown> {
  const { models, sources, ...options } = config;
  return { ...redactOptions(serverOptions, options), models: redactCatalog(models), sources };
}
