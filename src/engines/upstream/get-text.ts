// One bounded GET for the pool's probes: a deadline, an abort signal, and a cap on the body it reads.
import { request } from 'undici';

export interface GetTextOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Aborts the request (the pool closing). */
  readonly signal: AbortSignal;
  /** The most body bytes read; a longer body is an error. */
  readonly maxBytes: number;
}

export interface GetTextResult {
  readonly status: number;
  readonly text: string;
}

/** A body longer than the cap: the URL serves something other than what was asked for. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Throws on connection errors, on the deadline (a `TimeoutError`), on abort, and on a body over the cap (a `BodyTooLargeError`). */
export async function getText(url: string, options: GetTextOptions): Promise<GetTextResult> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const response = await request(url, { method: 'GET', headers: { ...options.headers }, signal });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > options.maxBytes) {
      response.body.destroy();
      throw new BodyTooLargeError(`the body is over ${options.maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return { status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') };
}
