// The models folder: finds the file of a source without the network, downloads it once (resumably, verified), and deletes it.
import { readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { downloadFile, DownloadError, partPath, type DownloadProgress } from '../../lib/download-file.js';
import { HubError, type RemoteFile } from './hub-request.js';
import { HUGGING_FACE_ENDPOINT, resolveHuggingFaceFile } from './hugging-face-file.js';
import { MODELSCOPE_ENDPOINT, resolveModelScopeFile } from './modelscope-file.js';
import { ModelSourceError, parseModelSource, type ModelSource, type RemoteModelSource } from './model-source.js';

export interface DownloadStart {
  readonly url: string;
  /** Where the verified file will be. */
  readonly path: string;
  readonly size: number | undefined;
  readonly sha256: string | undefined;
  /** Bytes already in the `.part` file from an earlier, interrupted download. */
  readonly resumeFrom: number;
}

export interface ModelFileOptions {
  /** The models folder. */
  readonly directory: string;
  /** The sha256 the file must have; a file from Hugging Face or ModelScope is checked against the hub's own without it. */
  readonly sha256?: string;
  readonly onStart?: (download: DownloadStart) => void;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Stops the download, keeping what arrived for the next try. */
  readonly signal?: AbortSignal;
  /** How long the Hub and the download may go silent before the try is given up. */
  readonly stallTimeoutMs?: number;
  /** The Hugging Face Hub, or a mirror of it, that hf: sources come from. */
  readonly huggingFaceEndpoint?: string;
  /** ModelScope, or a mirror of it, that modelscope: sources come from. */
  readonly modelScopeEndpoint?: string;
}

export interface ModelFile {
  readonly path: string;
  readonly bytes: number;
}

async function fileSize(path: string): Promise<number | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true ? info.size : undefined;
}

function isInside(path: string, directory: string): boolean {
  const from = relative(resolve(directory), path);
  return from !== '' && !from.startsWith('..') && !isAbsolute(from);
}

/** Where the file of a source is, or will be once downloaded. */
export function modelFilePath(source: ModelSource, directory: string): string {
  return source.kind === 'file' ? source.path : join(resolve(directory), source.fileName);
}

/** The file of a source if it is on this machine, and its size; never touches the network. */
export async function findModelFile(source: ModelSource, directory: string): Promise<ModelFile | undefined> {
  const path = modelFilePath(source, directory);
  const bytes = await fileSize(path);
  return bytes === undefined ? undefined : { path, bytes };
}

/** Bytes of an interrupted download of the source, if one is waiting to be resumed. */
export async function partialDownloadBytes(source: RemoteModelSource, directory: string): Promise<number | undefined> {
  return fileSize(partPath(modelFilePath(source, directory)));
}

/** The GGUF files in the models folder, by file name. */
export async function modelFilesIn(directory: string): Promise<ReadonlyMap<string, ModelFile>> {
  const names = await readdir(directory).catch(() => []);
  const files = new Map<string, ModelFile>();
  for (const name of names.filter((entry) => entry.toLowerCase().endsWith('.gguf')).sort()) {
    const path = join(resolve(directory), name);
    const bytes = await fileSize(path);
    if (bytes !== undefined) files.set(name, { path, bytes });
  }
  return files;
}

function localFileAdvice(source: RemoteModelSource, directory: string): string {
  const mirror =
    source.kind === 'hugging-face'
      ? ' To download through a mirror of the Hub, pass --hub-endpoint (or set HF_ENDPOINT).'
      : source.kind === 'modelscope'
        ? ' To download through a mirror of ModelScope, pass --modelscope-endpoint (or set MODELSCOPE_DOMAIN).'
        : '';
  return (
    'Studio downloads a model once and then serves it from its models folder; without network access, copy a GGUF file ' +
    `onto this machine and start Studio with \`studio serve --model /path/to/model.gguf\` (or set STUDIO_MODEL to that path), ` +
    `or copy it to ${modelFilePath(source, directory)}.${mirror}`
  );
}

function sourceAdvice(source: RemoteModelSource): string {
  const [prefix, where] = source.kind === 'modelscope' ? ['modelscope', "its Files tab on ModelScope"] : ['hf', 'its Files tab'];
  return `Check the source: ${prefix}:owner/repo:QUANT must name a quantization the repository has (see ${where}), or use ${prefix}:owner/repo/file.gguf.`;
}

function downloadFailure(source: RemoteModelSource, directory: string, error: unknown): unknown {
  if (error instanceof HubError) {
    const advice = error.unreachable ? localFileAdvice(source, directory) : sourceAdvice(source);
    return new ModelSourceError(`Could not download the model "${source.text}": ${error.message}. ${advice}`);
  }
  if (error instanceof DownloadError) {
    const advice = error.kind === 'unreachable' || error.kind === 'interrupted' ? ` ${localFileAdvice(source, directory)}` : '';
    return new ModelSourceError(`Could not download the model "${source.text}". ${error.message}${advice}`);
  }
  return error;
}

/** Asks the source's hub where its file is, how large, and its sha256; a plain URL is its own answer. */
async function resolveRemoteFile(source: RemoteModelSource, options: ModelFileOptions, timeoutMs: number): Promise<RemoteFile> {
  const hub = { timeoutMs, signal: options.signal };
  switch (source.kind) {
    case 'url':
      return { url: source.url, name: source.fileName, size: undefined, sha256: undefined };
    case 'hugging-face':
      return resolveHuggingFaceFile(source, { ...hub, endpoint: options.huggingFaceEndpoint ?? HUGGING_FACE_ENDPOINT });
    case 'modelscope':
      return resolveModelScopeFile(source, { ...hub, endpoint: options.modelScopeEndpoint ?? MODELSCOPE_ENDPOINT });
  }
}

/** Downloads a remote source's file into the models folder, resuming an interrupted download, and returns it once verified. */
export async function downloadModelFile(source: RemoteModelSource, options: ModelFileOptions): Promise<ModelFile> {
  const path = modelFilePath(source, options.directory);
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  try {
    const remote = await resolveRemoteFile(source, options, stallTimeoutMs);
    const sha256 = options.sha256?.toLowerCase() ?? remote.sha256;
    const resumeFrom = (await partialDownloadBytes(source, options.directory)) ?? 0;
    options.onStart?.({ url: remote.url, path, size: remote.size, sha256, resumeFrom });
    await downloadFile({
      url: remote.url,
      destination: path,
      size: remote.size,
      sha256,
      onProgress: options.onProgress,
      signal: options.signal,
      stallTimeoutMs,
    });
  } catch (error) {
    throw downloadFailure(source, options.directory, error);
  }
  const bytes = (await fileSize(path)) ?? 0;
  return { path, bytes };
}

/** The local file of a model source: a path as it is, a remote source from the models folder, downloaded first when missing. */
export async function resolveModelSource(text: string, options: ModelFileOptions): Promise<string> {
  const source = parseModelSource(text);
  const found = await findModelFile(source, options.directory);
  if (found !== undefined) return found.path;
  if (source.kind === 'file') {
    throw new ModelSourceError(
      `No model file at "${source.path}". Pass a GGUF file with --model /path/to/model.gguf, a Hugging Face URI such as hf:Qwen/Qwen3-0.6B-GGUF:Q8_0, ` +
        'or a ModelScope URI such as modelscope:Qwen/Qwen3-0.6B-GGUF:Q8_0.',
    );
  }
  return (await downloadModelFile(source, options)).path;
}

/** Deletes the downloaded file of a source and any interrupted download of it; a file outside the models folder is never touched. */
export async function removeModelFile(source: ModelSource, directory: string): Promise<string[]> {
  const path = modelFilePath(source, directory);
  if (source.kind === 'file' && !isInside(path, directory)) {
    throw new ModelSourceError(
      `"${source.text}" is a file of yours at ${path}, outside the models folder ${resolve(directory)}; Studio deletes only the files it downloaded there. Delete it yourself if you mean to.`,
    );
  }
  const removed: string[] = [];
  for (const candidate of [path, partPath(path)]) {
    if ((await fileSize(candidate)) === undefined) continue;
    await rm(candidate);
    removed.push(candidate);
  }
  return removed;
}
