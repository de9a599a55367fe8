// `studio models`: what a running server serves and has loaded, then the catalog's models and the files downloaded here.
import Table from 'cli-table3';
import { Command } from 'commander';
import prettyBytes from 'pretty-bytes';
import { z } from 'zod';
import type { LocalCatalogModel } from '../config/model-catalog.js';
import { loadServerClientOptions, serverClientOptions, type ServerClientOptions } from '../config/server-client-options.js';
import { loadServerConfig } from '../config/server-config.js';
import { serverOptions } from '../config/server-options.js';
import { findModelFile, modelFilePath, modelFilesIn, partialDownloadBytes } from '../engines/llama/model-files.js';
import { parseModelSource } from '../engines/llama/model-source.js';
import { addOptionFlags } from './option-flags.js';

export type ModelRow = Pick<LocalCatalogModel, 'name' | 'aliases' | 'source'> & { readonly context: number | undefined };

const modelListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      aliases: z.array(z.string()).default([]),
      context_length: z.number().optional(),
      status: z.string().optional(),
      loaded: z.boolean().optional(),
    }),
  ),
});

type ServedModel = z.infer<typeof modelListSchema>['data'][number];
type ServedModels = { readonly models: readonly ServedModel[] } | { readonly problem: string };

/** What the server at `url` serves; a server that cannot say is described instead. */
async function askServer(base: string, apiKey: string | undefined): Promise<ServedModels> {
  let response: Response;
  try {
    response = await fetch(`${base}/compatible-mode/v1/models`, {
      headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(3_000),
    });
  } catch {
    return { problem: `No server at ${base} (start one with \`studio serve\`, or name another with --url).` };
  }
  if (response.status === 401 || response.status === 403) return { problem: `The server at ${base} refused the key (${response.status}); pass its key with --api-key.` };
  const parsed = modelListSchema.safeParse(response.ok ? await response.json().catch(() => undefined) : undefined);
  return parsed.success ? { models: parsed.data.data } : { problem: `The server at ${base} did not list its models (HTTP ${response.status}).` };
}

function stateText({ status, loaded }: ServedModel): string {
  if (status === 'unloaded' || (status === undefined && loaded === false)) return 'not loaded (loads on its first request)';
  return status ?? (loaded === true ? 'loaded' : '-');
}

function newTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } });
}

function servedTable(models: readonly ServedModel[]): string {
  const table = newTable(['name', 'aliases', 'state', 'context']);
  for (const model of models) table.push([model.id, model.aliases.join(', '), stateText(model), model.context_length?.toString() ?? '-']);
  return table.toString();
}

async function sizeText(row: ModelRow, directory: string): Promise<string> {
  const source = parseModelSource(row.source);
  const file = await findModelFile(source, directory);
  if (file !== undefined) return prettyBytes(file.bytes);
  if (source.kind === 'file') return 'missing';
  const partial = await partialDownloadBytes(source, directory);
  return partial === undefined ? 'not downloaded' : `${prettyBytes(partial)} (interrupted)`;
}

/** The catalog this machine would serve and every model file downloaded into `directory`. */
async function localTable(catalog: readonly ModelRow[], directory: string): Promise<string> {
  const table = newTable(['name', 'aliases', 'source', 'size on disk', 'context']);
  const listed = new Set<string>();
  for (const row of catalog) {
    listed.add(modelFilePath(parseModelSource(row.source), directory));
    table.push([row.name, row.aliases.join(', '), row.source, await sizeText(row, directory), row.context?.toString() ?? '-']);
  }
  // Files pulled by a source of their own are outside the catalog; their path is what `--model` takes.
  for (const [fileName, file] of await modelFilesIn(directory)) {
    if (listed.has(file.path)) continue;
    table.push([fileName.replace(/\.gguf$/i, '').toLowerCase(), '', file.path, prettyBytes(file.bytes), '-']);
  }
  return table.toString();
}

/** What the server at `--url` serves (it may serve a model outside the local catalog), then what this machine has. */
export async function modelTable(catalog: readonly ModelRow[], directory: string, { url, apiKey }: ServerClientOptions): Promise<string> {
  const base = url.replace(/\/+$/, '');
  const served = await askServer(base, apiKey);
  const server = 'problem' in served ? served.problem : `Served by ${base}:\n${servedTable(served.models)}`;
  return `${server}\n\nThe catalog and downloaded models (${directory}):\n${await localTable(catalog, directory)}\n`;
}

export function modelsCommand(): Command {
  const command = new Command('models').description('list what a running server serves (name, state, context), then the catalog and the models downloaded here (size on disk)');
  const readConfigFlags = addOptionFlags(command, { config: serverOptions.config, modelsDir: serverOptions.modelsDir });
  const readClientFlags = addOptionFlags(command, serverClientOptions);
  command.action(async () => {
    const config = loadServerConfig(readConfigFlags(command));
    // Only local models have files here; a running server lists upstream ones among what it serves.
    const local = config.models.filter((model) => model.kind === 'local');
    process.stdout.write(await modelTable(local, config.modelsDir, loadServerClientOptions(readClientFlags(command))));
  });
  return command;
}
