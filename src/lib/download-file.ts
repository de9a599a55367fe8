// Downloads a URL to a file through `<file>.part`: resumes with Range requests, retries cut connections, verifies size and sha256, then renames.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DownloadProgress {
  readonly receivedBytes: number;
  /** Undefined while the server has not said how large the file is. */
  readonly totalBytes: number | undefined;
}

export interface DownloadFileOptions {
  readonly url: string;
  readonly destination: string;
  /** The size the file must have, when known beforehand; the server's own total is always checked. */
  readonly size?: number;
  /** Hex sha256 the file must have. */
  readonly sha256?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Stops the download and keeps `<destination>.part` for a later resume. */
  readonly signal?: AbortSignal;
  /** An attempt that receives no byte for this long is abandoned (and retried, if the server answered before). */
  readonly stallTimeoutMs?: number;
  /** Resumptions after a cut connection, a stall or a 5xx, before giving up. */
  readonly retries?: number;
  /** Wait before the first retry; it doubles for each further one. */
  readonly retryDelayMs?: number;
}

export type DownloadErrorKind = 'unreachable' | 'http-status' | 'interrupted' | 'size-mismatch' | 'checksum-mismatch';

/** A download that failed; the message says what failed and what to try. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    /** The HTTP status, for kind `http-status`. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** One failed attempt that a resumption may fix. */
class RetryableFailure extends Error {
  constructor(
    readonly reason: string,
    /** Whether the server answered this attempt. */
    readonly answered: boolean,
  ) {
    super(reason);
  }
}

export function partPath(destination: string): string {
  return `${destination}.part`;
}

function causeText(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

async function fileSize(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  return info?.size ?? 0;
}

async function hashPrefix(path: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (bytes === 0) return hash;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 })) hash.update(chunk as Buffer);
  return hash;
}

/** `bytes 100-999/1000` → start 100, total 1000 (undefined for `*`). */
function parseContentRange(header: string | null): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function statusAdvice(status: number): string {
  if (status === 404 || status === 410) return 'check the address';
  if (status === 401 || status === 403) return 'the file may need an access token, or may not be public';
  return 'try again later';
}

/** The state of one download across its attempts. */
interface Transfer {
  readonly part: string;
  received: number;
  total: number | undefined;
  hash: Hash | undefined;
}

async function restart(transfer: Transfer): Promise<void> {
  await truncate(transfer.part, 0);
  transfer.received = 0;
  if (transfer.hash !== undefined) transfer.hash = createHash('sha256');
}

async function attempt(transfer: Transfer, options: DownloadFileOptions): Promise<void> {
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallTimeoutMs);
  };
  const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  const host = new URL(options.url).host;
  let answered = false;
  const file = await open(transfer.part, 'a');
  try {
    arm();
    const headers: Record<string, string> = { ...options.headers, 'accept-encoding': 'identity' };
    if (transfer.received > 0) headers.range = `bytes=${transfer.received}-`;
    const response = await fetch(options.url, { headers, signal });
    answered = true;

    if (response.status === 416 && transfer.received > 0) {
      // The part may already hold the whole file (stopped just before the rename); otherwise it is no prefix of it.
      await response.body?.cancel();
      const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (total !== undefined && Number(total) === transfer.received) {
        transfer.total = transfer.received;
        return;
      }
      await restart(transfer);
      throw new RetryableFailure(`${host} refused to resume at byte ${transfer.received}`, true);
    }
    if (!response.ok) {
      await response.body?.cancel();
      const what = `${host} answered ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
      if (isRetryableStatus(response.status)) throw new RetryableFailure(what, true);
      throw new DownloadError('http-status', `Downloading ${options.url} failed: ${what}; ${statusAdvice(response.status)}.`, response.status);
    }
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (range?.start !== transfer.received) {
        await response.body?.cancel();
        await restart(transfer);
        throw new RetryableFailure(`${host} resumed at the wrong byte`, true);
      }
      transfer.total = range.total;
    } else {
      // A 200 to a Range request means the server cannot resume: start over.
      if (transfer.received > 0) await restart(transfer);
      const length = response.headers.get('content-length');
      transfer.total = length === null ? undefined : Number(length);
    }
    if (response.body === null) throw new RetryableFailure(`${host} sent no body`, true);

    options.onProgress?.({ receivedBytes: transfer.received, totalBytes: transfer.total });
    for await (const chunk of response.body) {
      arm();
      await file.write(chunk);
      transfer.hash?.update(chunk);
      transfer.received += chunk.byteLength;
      options.onProgress?.({ receivedBytes: transfer.received, totalBytes: transfer.total });
    }
    if (transfer.total !== undefined && transfer.received < transfer.total) {
      throw new RetryableFailure(`${host} closed the connection after ${transfer.received} of ${transfer.total} bytes`, true);
    }
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    if (error instanceof DownloadError || error instanceof RetryableFailure) throw error;
    if (stalled) throw new RetryableFailure(`no data arrived from ${host} for ${Math.round(stallTimeoutMs / 1000)} seconds`, answered);
    throw new RetryableFailure(answered ? `the connection to ${host} was cut (${causeText(error)})` : `${host} cannot be reached (${causeText(error)})`, answered);
  } finally {
    clearTimeout(timer);
    await file.close();
  }
}

async function fail(part: string, kind: DownloadErrorKind, message: string): Promise<never> {
  await rm(part, { force: true });
  throw new DownloadError(kind, message);
}

async function verify(transfer: Transfer, options: DownloadFileOptions): Promise<void> {
  const size = await fileSize(transfer.part);
  const expected = [
    { bytes: options.size, by: 'expected' },
    { bytes: transfer.total, by: 'announced by the server' },
  ].find(({ bytes }) => bytes !== undefined && bytes !== size);
  if (expected !== undefined) {
    await fail(
      transfer.part,
      'size-mismatch',
      `The download of ${options.url} is ${size} bytes, but ${expected.bytes} were ${expected.by}; it was deleted. ` +
        'Try again; if it happens again, the file on the server has changed or is not the one expected.',
    );
  }
  if (options.sha256 === undefined || transfer.hash === undefined) return;
  const actual = transfer.hash.digest('hex');
  if (actual !== options.sha256.toLowerCase()) {
    await fail(
      transfer.part,
      'checksum-mismatch',
      `The download of ${options.url} has sha256 ${actual}, but ${options.sha256.toLowerCase()} was expected; it was deleted. ` +
        'Check the expected checksum, then try again; if it happens again, the server sends a different file.',
    );
  }
}

/** Downloads `url` to `destination`, resuming a `.part` left by an earlier run; the destination appears only once verified. */
export async function downloadFile(options: DownloadFileOptions): Promise<void> {
  const part = partPath(options.destination);
  await mkdir(dirname(part), { recursive: true });
  const received = await fileSize(part);
  const transfer: Transfer = {
    part,
    received,
    total: undefined,
    hash: options.sha256 === undefined ? undefined : await hashPrefix(part, received),
  };
  const retries = options.retries ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 500;
  let failures = 0;
  // A server that never answered is unreachable, and retrying only delays saying so.
  let answered = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const before = transfer.received;
    try {
      await attempt(transfer, options);
      break;
    } catch (error) {
      if (!(error instanceof RetryableFailure)) throw error;
      answered ||= error.answered;
      // Progress since the last failure renews the allowance: only a connection that keeps failing gives up.
      failures = transfer.received > before ? 1 : failures + 1;
      if (!answered) {
        throw new DownloadError('unreachable', `Downloading ${options.url} failed: ${error.reason}. Check the address and the network connection.`);
      }
      if (failures > retries) {
        throw new DownloadError(
          'interrupted',
          `Downloading ${options.url} failed ${failures} times in a row: ${error.reason}. ` +
            `The ${transfer.received} bytes received are kept; run the download again to resume from there.`,
        );
      }
      await sleep(retryDelayMs * 2 ** (failures - 1), undefined, { signal: options.signal });
    }
  }
  await verify(transfer, options);
  await rename(part, options.destination);
}
