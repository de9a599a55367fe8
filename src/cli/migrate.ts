// `studio migrate`: brings the store's schema up to date without serving (`studio serve` does it too, at start-up).
import { Command } from 'commander';
import { loadStoreClientOptions, storeClientOptions } from '../config/store-client-options.js';
import { addOptionFlags } from './option-flags.js';
import { storeModule } from './store-module.js';
import { storeLocation } from './store-location.js';

export function migrateCommand(): Command {
  const command = new Command('migrate').description("bring the store's schema up to date, e.g. before starting several replicas on one PostgreSQL");
  const readFlags = addOptionFlags(command, storeClientOptions);
  command.action(async () => {
    const location = loadStoreClientOptions(readFlags(command));
    const { migrateStore } = await storeModule();
    const applied = await migrateStore(location);
    const where = storeLocation(location);
    process.stdout.write(applied.length === 0 ? `The store (${where}) is up to date.\n` : `Migrated the store (${where}): ${applied.join(', ')}.\n`);
  });
  return command;
}
