// A multipart/form-data upload read as it arrives: its one file handed on as a stream, never held whole; its few small fields kept.
import { Readable } from 'node:stream';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import type { Context } from 'hono';
import { ClientAbortedError, ClientTimeoutError, FileTooLargeError, InvalidRequestError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';

export interface UploadLimits {
  /** The file's own bytes; the consumer enforces it on the stream, the declared length is checked here. */
  readonly maxFileBytes: number;
  /** From the end of the headers to the end of the body, as for any request body. */
  readonly timeoutMs: number;
}

export interface UploadedFile {
  readonly filename: string;
  readonly content: AsyncIterable<Uint8Array>;
}

/** Room for the multipart envelope around the file: boundaries, part headers and the small fields. */
const ENVELOPE_BYTES = 64 * 1024;

/** A form of one file and a few short fields; anything more is not an upload this API takes. */
const FORM_LIMITS = { files: 1, fields: 8, parts: 9, fieldSize: 1024, headerPairs: 20 };

/**
 * Parses the body, passing the part named `fileField` to `store` as it arrives; resolves once both the
 * body and `store` are done. On any failure the file's stream is ended with the error, `store` is
 * awaited (so it can remove what it wrote), and the error is thrown; the rest of the body is left for
 * the error answer to read.
 */
export async function readUpload<T>(
  c: Context<AppEnv>,
  fileField: string,
  limits: UploadLimits,
  store: (file: UploadedFile) => Promise<T>,
): Promise<{ fields: Readonly<Record<string, string>>; stored: T | undefined }> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new InvalidRequestError(`The body must be multipart/form-data, with the file in a part named '${fileField}'.`, fileField);
  }
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limits.maxFileBytes + ENVELOPE_BYTES) throw new FileTooLargeError(limits.maxFileBytes);

  // On a Node server the body is read straight from Node's request, so that a refusal can leave the rest for the error answer.
  const incoming = c.env?.incoming;
  const source = incoming ?? Readable.fromWeb(c.req.raw.body ?? new ReadableStream());
  const fields: Record<string, string> = {};
  let file: BusboyFileStream | undefined;
  let stored: Promise<T> | undefined;
  let form: ReturnType<typeof Busboy>;
  try {
    form = Busboy({ headers: { 'content-type': contentType }, limits: FORM_LIMITS });
  } catch (error) {
    throw new InvalidRequestError('The multipart/form-data body has no boundary.', fileField, { cause: error });
  }
  let timer: NodeJS.Timeout | undefined;
  const parsed = new Promise<void>((resolve, reject) => {
    const tooMany = (): void => reject(new InvalidRequestError(`The form holds one file, '${fileField}', and at most ${FORM_LIMITS.fields} short fields.`));
    form.on('file', (name, stream, filename) => {
      if (name !== fileField || stored !== undefined) return void stream.resume();
      file = stream;
      stored = store({ filename, content: stream });
      // A refusal (too large, a failing disk) ends the parse at once: the store has stopped reading.
      stored.catch(reject);
    });
    form.on('field', (name, value) => (fields[name] = value));
    form.on('finish', resolve).on('error', (error) => reject(new InvalidRequestError('The multipart/form-data body is malformed.', undefined, { cause: error })));
    form.on('partsLimit', tooMany).on('filesLimit', tooMany).on('fieldsLimit', tooMany);
    // The body comes from the client: a body that breaks off is a client that went away (or, through the web guard, was too slow).
    source.on('error', (error) => reject(error instanceof ClientTimeoutError ? error : new ClientAbortedError()));
    source.on('close', () => (source.readableEnded ? undefined : reject(new ClientAbortedError())));
    timer = setTimeout(() => reject(new ClientTimeoutError(`The request body did not arrive within ${limits.timeoutMs / 1000} s.`)), limits.timeoutMs);
    source.pipe(form);
  });
  try {
    await parsed;
    return { fields, stored: await stored };
  } catch (error) {
    source.unpipe(form);
    if (file !== undefined && !file.readableEnded) file.destroy(error instanceof Error ? error : undefined);
    await stored?.catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
