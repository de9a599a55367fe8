// What the model hubs (Hugging Face, ModelScope) have in common: one request with a timeout, the file a lookup finds, and its errors.

export interface RemoteFile {
  readonly url: string;
  /** The repository's own name of the file. */
  readonly name: string;
  readonly size: number | undefined;
  readonly sha256: string | undefined;
}

export interface HubOptions {
  /** e.g. `https://huggingface.co`, or a mirror of it. */
  readonly endpoint: string;
  /** How long each request to the hub may take. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Why a hub could not say; the caller turns it into advice. */
export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    message: string,
    /** The hub was not reached at all, as on a machine without network access. */
    readonly unreachable = false,
  ) {
    super(message);
  }
}

/** `endpoint/a/b` with each segment escaped; a trailing slash of the endpoint is dropped. */
export function hubUrl(endpoint: string, ...segments: string[]): string {
  return `${endpoint.replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
}

/** Fetches `url`, turning a hub that cannot be reached or does not answer in time into a HubError that says so. */
export async function requestHub(url: string, init: RequestInit, what: string, options: HubOptions): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    return await fetch(url, { ...init, signal: options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]) });
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    const host = new URL(url).host;
    if (timeout.aborted) throw new HubError(`${host} did not answer within ${Math.round(options.timeoutMs / 1000)} seconds to ${what}`, true);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new HubError(`${host} cannot be reached to ${what} (${cause})`, true);
  }
}

/** One part of a model split into several files (`-00001-of-00003.gguf`). */
export function isSplitPart(path: string): boolean {
  return /-\d{5}-of-\d{5}\.gguf$/i.test(path);
}

/** Refuses one part of a split model, which Studio cannot load alone. */
export function checkSingleFile(path: string): void {
  if (isSplitPart(path)) {
    throw new HubError(`${path} is one part of a model split into several files, and Studio downloads single-file models only; choose another quantization`);
  }
}

/** A sha256 as hex, or undefined when the text is not one. */
export function sha256Of(text: unknown): string | undefined {
  return typeof text === 'string' && /^[0-9a-f]{64}$/i.test(text) ? text.toLowerCase() : undefined;
}
