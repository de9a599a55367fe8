// The JSONL file `studio batch create` uploads: the user's own, or a copy with every line's body.model set to the named model.
import { createReadStream, createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';

/** A line that is not a request object is left as it is: the server reports it with its line number. */
export function withModel(line: string, model: string): string {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return line;
  const { body } = request as { body?: unknown };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return line;
  return JSON.stringify({ ...request, body: { ...body, model } });
}

async function* linesWithModel(path: string, model: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) yield `${line.trim() === '' ? line : withModel(line, model)}\n`;
}

export interface BatchInput {
  /** Backed by the file on disk: the upload streams it, never reading it whole. */
  readonly file: File;
  /** Removes the copy, if one was made. */
  dispose(): Promise<void>;
}

export async function batchInput(path: string, model: string | undefined): Promise<BatchInput> {
  if (model === undefined) return { file: new File([await openAsBlob(path)], basename(path)), dispose: async () => {} };
  const folder = await mkdtemp(join(tmpdir(), 'studio-batch-'));
  const copy = join(folder, basename(path));
  try {
    await pipeline(linesWithModel(path, model), createWriteStream(copy));
    return { file: new File([await openAsBlob(copy)], basename(path)), dispose: () => rm(folder, { recursive: true, force: true }) };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}
