// The Batch API under the OpenAI-compatible bases: create a batch from an uploaded file, retrieve, list and cancel; the runner does the rest.
import { Hono } from 'hono';
import { z } from 'zod';
import type { ModelInfo } from '../core/engine.js';
import { InvalidRequestError, MethodNotAllowedError, RouteNotFoundError } from '../core/errors.js';
import type { BatchStore, FileStore } from '../core/store.js';
import { encodeBatch, encodeBatchList } from '../protocols/openai/encode-batch.js';
import { BATCH_ENDPOINT, readBatchInput } from '../protocols/openai/read-batch-input.js';
import type { AppEnv } from './app-env.js';
import { parseJsonBody } from './read-json-body.js';
import { requestOwner as owner } from './request-owner.js';

/** The only window Model Studio takes. */
const COMPLETION_WINDOW = '24h';
const WINDOW_MS = 24 * 3600 * 1000;

const createSchema = z.strictObject({
  input_file_id: z.string().min(1),
  endpoint: z.string(),
  completion_window: z.string(),
  // OpenAI's bounds: 16 pairs, keys up to 64 characters, values up to 512.
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((pairs) => Object.keys(pairs).length <= 16, "'metadata' holds at most 16 pairs.")
    .nullish(),
});

const listSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().optional(),
});

export interface BatchRoutesOptions {
  readonly batches: BatchStore;
  readonly files: FileStore;
  readonly models: () => readonly ModelInfo[];
  /** A batch was created or cancelled: the runner looks now rather than at its next poll. */
  readonly onChange?: () => void;
}

export function batchRoutes({ batches, files, models, onChange }: BatchRoutesOptions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const modelExists = (name: string): boolean => models().some(({ id, aliases }) => id === name || aliases?.includes(name));

  routes.post('/batches', async (c) => {
    const input = await parseJsonBody(c, createSchema);
    if (input.endpoint !== BATCH_ENDPOINT) throw new InvalidRequestError(`'endpoint' must be '${BATCH_ENDPOINT}', the one endpoint batches run.`, 'endpoint');
    if (input.completion_window !== COMPLETION_WINDOW) throw new InvalidRequestError(`'completion_window' must be '${COMPLETION_WINDOW}'.`, 'completion_window');
    const file = await files.get(owner(c), input.input_file_id);
    if (file === undefined) throw new InvalidRequestError(`No file of yours has the id '${input.input_file_id}'.`, 'input_file_id');
    if (file.purpose !== 'batch') throw new InvalidRequestError(`The file '${file.id}' was uploaded with the purpose '${file.purpose}'; a batch's input needs 'batch'.`, 'input_file_id');
    const content = await files.read(owner(c), file.id);
    if (content === undefined) throw new InvalidRequestError(`No file of yours has the id '${input.input_file_id}'.`, 'input_file_id');
    const read = await readBatchInput(content, modelExists);
    const batch = {
      owner: owner(c),
      endpoint: input.endpoint,
      inputFileId: file.id,
      completionWindow: input.completion_window,
      model: read.ok ? read.model : '',
      ...(input.metadata == null ? {} : { metadata: input.metadata }),
      expiresAt: new Date(Date.now() + WINDOW_MS),
    };
    if (!read.ok) return c.json(encodeBatch(await batches.createFailed(batch, read.errors)));
    // A key's allowed models and budget hold for its batches as for its live requests.
    await c.get('keyGate')?.(read.model);
    const created = await batches.create(batch, read.lines);
    onChange?.();
    return c.json(encodeBatch(created));
  });

  routes.get('/batches', async (c) => {
    const query = listSchema.safeParse(c.req.query());
    if (!query.success) throw new InvalidRequestError("'limit' must be an integer from 1 to 100.", 'limit');
    const page = await batches.list(owner(c), { limit: query.data.limit + 1, after: query.data.after });
    return c.json(encodeBatchList(page.slice(0, query.data.limit), page.length > query.data.limit));
  });

  routes.get('/batches/:id', async (c) => {
    const batch = await batches.get(owner(c), c.req.param('id'));
    if (batch === undefined) throw new RouteNotFoundError(`No batch of yours has the id '${c.req.param('id')}'.`);
    return c.json(encodeBatch(batch));
  });

  routes.post('/batches/:id/cancel', async (c) => {
    const batch = await batches.requestCancel(owner(c), c.req.param('id'), new Date());
    if (batch === undefined) throw new RouteNotFoundError(`No batch of yours has the id '${c.req.param('id')}'.`);
    if (batch.status !== 'cancelling' && batch.status !== 'cancelled') throw new InvalidRequestError(`The batch '${batch.id}' is ${batch.status} and can no longer be cancelled.`);
    onChange?.();
    return c.json(encodeBatch(batch));
  });

  for (const [path, allowed] of [['/batches', ['GET', 'POST']], ['/batches/:id', ['GET']], ['/batches/:id/cancel', ['POST']]] as const) {
    routes.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, allowed);
    });
  }

  return routes;
}
