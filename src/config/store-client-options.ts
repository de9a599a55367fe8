// Options of the commands that open the store directly, with no server running (`studio usage`): where it is.
import { loadOptions, type OptionValues, type RawFlags } from './load-options.js';
import { serverOptions } from './server-options.js';

export const storeClientOptions = { dataDir: serverOptions.dataDir, databaseUrl: serverOptions.databaseUrl } as const;

export type StoreClientOptions = OptionValues<typeof storeClientOptions>;

export function loadStoreClientOptions(flags: RawFlags, env: NodeJS.ProcessEnv = process.env): StoreClientOptions {
  return loadOptions(storeClientOptions, flags, env);
}
