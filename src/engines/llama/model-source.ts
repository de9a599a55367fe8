// Turns `--model` (a local GGUF path, an hf: URI or an http(s) URL) into a local file, downloading it once.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resolveModelFile } from 'node-llama-cpp';

/** A model that cannot be had; the message is a paragraph for people, never a stack trace. */
export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
}

export interface ModelSourceOptions {
  /** Folder downloads are kept in. */
  readonly directory: string;
  /** Show a progress bar while downloading. */
  readonly showProgress: boolean;
  /** How long a first connection may take before the source counts as unreachable. */
  readonly probeTimeoutMs?: number;
  /** How long a download may go without receiving a byte before it is given up. */
  readonly stallTimeoutMs?: number;
}

const HUGGING_FACE = 'https://huggingface.co';

export function isRemoteSource(source: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(source);
}

function howToUseLocalFile(source: string, reason: string): string {
  return (
    `Could not download the model "${source}": ${reason}. Studio downloads a model once and then serves it ` +
    'from its cache; without network access, copy a GGUF file onto this machine and start Studio with ' +
    '`studio serve --model /path/to/model.gguf` (or set STUDIO_MODEL to that path).'
  );
}

/** Fails fast when the host is unreachable: the downloader itself retries for minutes before giving up. */
async function probe(source: string, timeoutMs: number): Promise<void> {
  const url = /^https?:\/\//i.test(source) ? source : HUGGING_FACE;
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new ModelSourceError(howToUseLocalFile(source, `${new URL(url).host} cannot be reached (${cause})`));
  }
}

async function download(source: string, options: ModelSourceOptions): Promise<string> {
  const stall = new AbortController();
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  let timer = setTimeout(() => stall.abort(), stallTimeoutMs);
  try {
    return await resolveModelFile(source, {
      directory: options.directory,
      cli: options.showProgress,
      signal: stall.signal,
      onProgress: () => {
        clearTimeout(timer);
        timer = setTimeout(() => stall.abort(), stallTimeoutMs);
      },
    });
  } catch (error) {
    const reason = stall.signal.aborted
      ? `no data arrived for ${Math.round(stallTimeoutMs / 1000)} seconds`
      : error instanceof Error
        ? error.message
        : String(error);
    throw new ModelSourceError(howToUseLocalFile(source, reason));
  } finally {
    clearTimeout(timer);
  }
}

export async function resolveModelSource(source: string, options: ModelSourceOptions): Promise<string> {
  if (!isRemoteSource(source)) {
    const path = resolve(source);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() !== true) {
      throw new ModelSourceError(
        `No model file at "${path}". Pass a GGUF file with --model /path/to/model.gguf, or a Hugging Face URI such as hf:Qwen/Qwen3-0.6B-GGUF:Q8_0.`,
      );
    }
    return path;
  }
  try {
    return await resolveModelFile(source, { directory: options.directory, download: false, cli: false });
  } catch {
    // Not in the cache yet.
  }
  await probe(source, options.probeTimeoutMs ?? 10_000);
  return download(source, options);
}
