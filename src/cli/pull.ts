// `studio pull`: downloads a model into the models folder with progress, resumably and verified, and says where it is.
import { Command, InvalidArgumentError } from 'commander';
import prettyBytes from 'pretty-bytes';
import { loadServerConfig } from '../config/server-config.js';
import { serverOptions } from '../config/server-options.js';
import { partPath } from '../lib/download-file.js';
import { downloadModelFile, findModelFile, modelFilePath, partialDownloadBytes, type ModelFileOptions } from '../engines/llama/model-files.js';
import { ModelSourceError } from '../engines/llama/model-source.js';
import { downloadDisplay } from './download-progress.js';
import { findModelTarget, type CatalogRow } from './model-target.js';
import { addOptionFlags } from './option-flags.js';

export interface PullOptions extends Pick<ModelFileOptions, 'huggingFaceEndpoint' | 'modelScopeEndpoint'> {
  readonly catalog: readonly CatalogRow[];
  readonly directory: string;
  /** The sha256 the file must have; without it a file from Hugging Face or ModelScope is checked against the hub's. */
  readonly sha256?: string;
  readonly out: NodeJS.WriteStream;
  /** Stops the download; what arrived is kept, and the next pull continues from there. */
  readonly signal?: AbortSignal;
}

function parseSha256(value: string): string {
  if (!/^[0-9a-f]{64}$/i.test(value)) throw new InvalidArgumentError('a sha256 is 64 hexadecimal digits.');
  return value.toLowerCase();
}

export async function pullModel(target: string, options: PullOptions): Promise<void> {
  const { source, model } = findModelTarget(target, options.catalog, options.directory);
  const label = model === undefined ? source.text : `${model.name} (${source.text})`;
  if (source.kind === 'file') {
    options.out.write(`${label} is a file on this machine (${source.path}); there is nothing to download.\n`);
    return;
  }
  const found = await findModelFile(source, options.directory);
  if (found !== undefined) {
    options.out.write(`${label} is already downloaded: ${found.path} (${prettyBytes(found.bytes)}). To download it again, run \`studio rm ${target}\` first.\n`);
    return;
  }
  const display = downloadDisplay(options.out);
  try {
    const file = await downloadModelFile(source, {
      directory: options.directory,
      sha256: options.sha256,
      huggingFaceEndpoint: options.huggingFaceEndpoint,
      modelScopeEndpoint: options.modelScopeEndpoint,
      signal: options.signal,
      onStart: display.onStart,
      onProgress: display.onProgress,
    });
    display.stop();
    options.out.write(`Downloaded ${label} to ${file.path} (${prettyBytes(file.bytes)}).\n`);
  } catch (error) {
    display.stop();
    if (options.signal?.aborted !== true) throw error;
    const kept = (await partialDownloadBytes(source, options.directory)) ?? 0;
    throw new ModelSourceError(
      `Stopped the download of ${label}; the ${prettyBytes(kept)} received are kept in ${partPath(modelFilePath(source, options.directory))}. ` +
        `Run \`studio pull ${target}\` again to continue from there.`,
    );
  }
}

export function pullCommand(): Command {
  const command = new Command('pull')
    .description('download a model (a catalog name or alias, an hf: or modelscope: URI, or a GGUF URL) into the models folder; an interrupted pull resumes')
    .argument('<model>', 'a model name or alias of the catalog, hf:owner/repo:QUANT, hf:owner/repo/file.gguf, the same after modelscope:, or an http(s) URL')
    .option('--sha256 <hex>', 'the sha256 the file must have (Hugging Face and ModelScope files are checked against the hub without it)', parseSha256);
  const { config, modelsDir, hubEndpoint, modelscopeEndpoint } = serverOptions;
  const readFlags = addOptionFlags(command, { config, modelsDir, hubEndpoint, modelscopeEndpoint });
  command.action(async (target: string, flags: { sha256?: string }) => {
    const settings = loadServerConfig(readFlags(command));
    const stop = new AbortController();
    const interrupt = (): void => {
      if (stop.signal.aborted) process.exit(130);
      stop.abort();
    };
    process.on('SIGINT', interrupt);
    try {
      await pullModel(target, {
        catalog: settings.models,
        directory: settings.modelsDir,
        huggingFaceEndpoint: settings.hubEndpoint,
        modelScopeEndpoint: settings.modelscopeEndpoint,
        sha256: flags.sha256,
        out: process.stdout,
        signal: stop.signal,
      });
    } finally {
      process.off('SIGINT', interrupt);
    }
  });
  return command;
}
