// The configuration of `studio serve`; the one place that reads process.env.
import { loadOptions, type OptionValues, type RawFlags } from './load-options.js';
import { serverOptions } from './server-options.js';

export type ServerConfig = OptionValues<typeof serverOptions>;

export function loadServerConfig(flags: RawFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return loadOptions(serverOptions, flags, env);
}
