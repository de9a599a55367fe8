// `studio models`: a table of the catalog's models, what is downloaded and how large, and what a running server has loaded.
import Table from 'cli-table3';
import { Command } from 'commander';
import prettyBytes from 'pretty-bytes';
import { z } from 'zod';
import type { CatalogModel } from '../config/model-catalog.js';
import { loadServerClientOptions, serverClientOptions, type ServerClientOptions } from '../config/server-client-options.js';
import { loadServerConfig } from '../config/server-config.js';
import { serverOptions } from '../config/server-options.js';
import { findModelFile, modelFilePath, modelFilesIn, partialDownloadBytes } from '../engines/llama/model-files.js';
import { parseModelSource } from '../engines/llama/model-source.js';
import { addOptionFlags } from './option-flags.js';

export type ModelRow = Pick<CatalogModel, 'name' | 'aliases' | 'source'> & { readonly context: number | undefined };

const modelListSchema = z.object({
  data: z.array(z.object({ id: z.string(), aliases: z.array(z.string()).default([]), loaded: z.boolean().optional() })),
});

type ServedModels = { readonly models: z.infer<typeof modelListSchema>['data'] } | { readonly problem: string };

/** What the server at `url` serves and has loaded; a server that cannot say is described instead. */
async function askServer({ url, apiKey }: ServerClientOptions): Promise<ServedModels> {
  const base = url.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/compatible-mode/v1/models`, {
      headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(3_000),
    });
  } catch {
    return { problem: `no server at ${base}` };
  }
  if (response.status === 401 || response.status === 403) return { problem: `the server at ${base} refused the key (${response.status}); pass its key with --api-key` };
  const parsed = modelListSchema.safeParse(response.ok ? await response.json().catch(() => undefined) : undefined);
  return parsed.success ? { models: parsed.data.data } : { problem: `the server at ${base} did not list its models (HTTP ${response.status})` };
}

function loadedText(served: ServedModels, name: string): string {
  if ('problem' in served) return '-';
  const entry = served.models.find((model) => model.id === name || model.aliases.includes(name));
  return entry?.loaded === true ? 'yes' : 'no';
}

async function sizeText(row: ModelRow, directory: string): Promise<string> {
  const source = parseModelSource(row.source);
  const file = await findModelFile(source, directory);
  if (file !== undefined) return prettyBytes(file.bytes);
  if (source.kind === 'file') return 'missing';
  const partial = await partialDownloadBytes(source, directory);
  return partial === undefined ? 'not downloaded' : `${prettyBytes(partial)} (interrupted)`;
}

/** The table, followed by a line about the server when it could not be asked. */
export async function modelTable(catalog: readonly ModelRow[], directory: string, server: ServerClientOptions): Promise<string> {
  const served = await askServer(server);
  const table = new Table({
    head: ['name', 'aliases', 'source', 'size on disk', 'context', 'loaded'],
    style: { head: [], border: [] },
  });
  const listed = new Set<string>();
  for (const row of catalog) {
    listed.add(modelFilePath(parseModelSource(row.source), directory));
    table.push([row.name, row.aliases.join(', '), row.source, await sizeText(row, directory), row.context?.toString() ?? '-', loadedText(served, row.name)]);
  }
  // Files pulled by a source of their own are outside the catalog; their path is what `--model` takes.
  for (const [fileName, file] of await modelFilesIn(directory)) {
    if (listed.has(file.path)) continue;
    const name = fileName.replace(/\.gguf$/i, '').toLowerCase();
    table.push([name, '', file.path, prettyBytes(file.bytes), '-', loadedText(served, name)]);
  }
  return `${table.toString()}\n${'problem' in served ? `${served.problem}\n` : ''}`;
}

export function modelsCommand(): Command {
  const command = new Command('models').description('list the models of the catalog: downloaded or not, size on disk, context, and whether a running server has them loaded');
  const readConfigFlags = addOptionFlags(command, { config: serverOptions.config, modelsDir: serverOptions.modelsDir });
  const readClientFlags = addOptionFlags(command, serverClientOptions);
  command.action(async () => {
    const config = loadServerConfig(readConfigFlags(command));
    process.stdout.write(await modelTable(config.models, config.modelsDir, loadServerClientOptions(readClientFlags(command))));
  });
  return command;
}
