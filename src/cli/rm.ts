// `studio rm`: deletes a downloaded model, and any interrupted download of it, from the models folder.
import { Command } from 'commander';
import { loadServerConfig } from '../config/server-config.js';
import { serverOptions } from '../config/server-options.js';
import { modelFilePath, removeModelFile } from '../engines/llama/model-files.js';
import { ModelSourceError } from '../engines/llama/model-source.js';
import { findModelTarget, type CatalogRow } from './model-target.js';
import { addOptionFlags } from './option-flags.js';

/** Deletes the files and returns what was deleted; nothing to delete is an error, as for `rm`. */
export async function removeModel(target: string, catalog: readonly CatalogRow[], directory: string): Promise<string[]> {
  const { source, model } = findModelTarget(target, catalog, directory);
  const removed = await removeModelFile(source, directory);
  if (removed.length === 0) {
    const label = model === undefined ? source.text : `${model.name} (${source.text})`;
    throw new ModelSourceError(`${label} is not downloaded: there is no ${modelFilePath(source, directory)}. \`studio models\` lists what is.`);
  }
  return removed;
}

export function rmCommand(): Command {
  const command = new Command('rm')
    .description('delete a downloaded model from the models folder (files elsewhere are never touched)')
    .argument('<model>', 'a model name or alias of the catalog, its source, or a file name in the models folder');
  const readFlags = addOptionFlags(command, { config: serverOptions.config, modelsDir: serverOptions.modelsDir });
  command.action(async (target: string) => {
    const config = loadServerConfig(readFlags(command));
    for (const path of await removeModel(target, config.models, config.modelsDir)) process.stdout.write(`Deleted ${path}\n`);
  });
  return command;
}
