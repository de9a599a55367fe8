// Reads a Batch API input file (JSONL of chat completion requests) line by line, and says what is wrong with it, by line.
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { BatchInputError, BatchLine } from '../../core/store.js';

/** The one endpoint batches run: chat completions. */
export const BATCH_ENDPOINT = '/v1/chat/completions';
/** Model Studio's limit on the requests of one file. */
export const MAX_BATCH_LINES = 50_000;
/** Past this many, a refused file's errors are not listed further. */
const MAX_LISTED_ERRORS = 100;

export type BatchInput =
  | { readonly ok: true; readonly model: string; readonly lines: readonly Omit<BatchLine, 'index'>[] }
  | { readonly ok: false; readonly errors: readonly BatchInputError[] };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function missing(param: string, line: number): BatchInputError {
  return { code: 'missing_required_parameter', message: `Missing required parameter: '${param}'.`, param, line };
}

/** The one thing wrong with a parsed line (the first found), else its custom_id and model. */
function checkLine(value: unknown, line: number): BatchInputError | { customId: string; model: string; body: Record<string, unknown> } {
  if (!isObject(value)) return { code: 'invalid_json_line', message: 'This line is not a JSON object.', line };
  const { custom_id: customId, method, url, body } = value;
  if (customId === undefined || customId === null) return missing('custom_id', line);
  if (typeof customId !== 'string' || customId === '') return { code: 'invalid_value', message: "'custom_id' must be a non-empty string.", param: 'custom_id', line };
  if (method === undefined) return missing('method', line);
  if (method !== 'POST') return { code: 'invalid_method', message: `The method of this request must be 'POST', got ${JSON.stringify(method)}.`, param: 'method', line };
  if (url === undefined) return missing('url', line);
  if (url !== BATCH_ENDPOINT) return { code: 'invalid_url', message: `The URL of this request, ${JSON.stringify(url)}, does not match the batch's endpoint '${BATCH_ENDPOINT}'.`, param: 'url', line };
  if (body === undefined) return missing('body', line);
  if (!isObject(body)) return { code: 'invalid_value', message: "'body' must be a JSON object: the chat completion request.", param: 'body', line };
  if (typeof body.model !== 'string' || body.model === '') return missing('body.model', line);
  return { customId, model: body.model, body };
}

/**
 * One model per file, known to `modelExists`; unique custom_ids; every line a POST to the batch
 * endpoint with a body. The bodies' other fields are checked when each line runs, as a live request's are.
 */
export async function readBatchInput(content: AsyncIterable<Uint8Array>, modelExists: (model: string) => boolean): Promise<BatchInput> {
  const errors: BatchInputError[] = [];
  const lines: Omit<BatchLine, 'index'>[] = [];
  const seen = new Set<string>();
  let model: string | undefined;
  let number = 0;
  const add = (error: BatchInputError): void => {
    if (errors.length < MAX_LISTED_ERRORS) errors.push(error);
  };
  for await (const text of createInterface({ input: Readable.from(content), crlfDelay: Infinity })) {
    number += 1;
    if (text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      add({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: number });
      continue;
    }
    const checked = checkLine(parsed, number);
    if ('code' in checked) {
      add(checked);
      continue;
    }
    if (seen.has(checked.customId)) {
      add({ code: 'duplicate_custom_id', message: `The custom_id '${checked.customId}' is used by an earlier line; each line's custom_id must be unique.`, param: 'custom_id', line: number });
      continue;
    }
    seen.add(checked.customId);
    if (model === undefined) {
      model = checked.model;
      if (!modelExists(model)) add({ code: 'model_not_found', message: `The model \`${model}\` does not exist or you do not have access to it.`, param: 'body.model', line: number });
    } else if (checked.model !== model) {
      add({ code: 'mismatched_model', message: `Every line of a batch must use the same model: this one names '${checked.model}', the first '${model}'.`, param: 'body.model', line: number });
      continue;
    }
    if (seen.size > MAX_BATCH_LINES) {
      add({ code: 'too_many_requests', message: `A batch takes at most ${MAX_BATCH_LINES} requests.`, line: number });
      break;
    }
    // Once the file is refused its bodies are of no use: only its errors are kept.
    if (errors.length === 0) lines.push({ customId: checked.customId, body: JSON.stringify(checked.body) });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (model === undefined) return { ok: false, errors: [{ code: 'empty_file', message: 'The batch input file is empty: it holds no request.' }] };
  return { ok: true, model, lines };
}
