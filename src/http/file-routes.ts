// The Batch API's files under the OpenAI-compatible bases: upload (multipart, streamed to the store), list, retrieve, download, delete.
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { z } from 'zod';
import { InvalidRequestError, MethodNotAllowedError, RouteNotFoundError } from '../core/errors.js';
import type { FileStore } from '../core/store.js';
import { encodeFile, encodeFileDeleted, encodeFileList } from '../protocols/openai/encode-file.js';
import type { AppEnv } from './app-env.js';
import { OPENAI_BASES } from './mount-wires.js';
import { readUpload, type UploadLimits } from './read-upload.js';
import { requestOwner as owner } from './request-owner.js';

/** Uploads are batch input; 'batch_output' files are Studio's own, written by the batches. */
const UPLOAD_PURPOSE = 'batch';

/** OpenAI's bounds for a page of files. */
const MAX_PAGE = 10_000;

const listSchema = z.object({
  purpose: z.enum(['batch', 'batch_output'], { error: "'purpose' must be 'batch' or 'batch_output'." }).optional(),
  limit: z.coerce.number({ error: `'limit' must be an integer from 1 to ${MAX_PAGE}.` }).int().min(1).max(MAX_PAGE).default(MAX_PAGE),
  after: z.string().min(1).optional(),
  // The store lists newest first, and pages follow that order.
  order: z.literal('desc', { error: "'order' must be 'desc': files are listed newest first." }).optional(),
});

export interface FileRoutesOptions {
  readonly files: FileStore;
  readonly upload: UploadLimits;
}

/** The upload reads its own body, under the files limit: the wire routes' body guard leaves it alone. */
export function isFileUpload(method: string, path: string): boolean {
  return method === 'POST' && OPENAI_BASES.some((base) => path === `${base}/files`);
}

export function fileRoutes({ files, upload }: FileRoutesOptions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const notFound = (id: string): RouteNotFoundError => new RouteNotFoundError(`No file of yours has the id '${id}'.`);

  routes.post('/files', async (c) => {
    const { fields, stored } = await readUpload(c, 'file', upload, ({ filename, content }) =>
      files.create({ owner: owner(c), filename, purpose: UPLOAD_PURPOSE, content, maxBytes: upload.maxFileBytes }),
    );
    // The openai SDK sends the file before the purpose, so the purpose is checked once the file is stored.
    if (fields.purpose !== UPLOAD_PURPOSE) {
      if (stored !== undefined) await files.delete(owner(c), stored.id);
      const missing = fields.purpose === undefined;
      throw new InvalidRequestError(missing ? "Missing 'purpose': it must be 'batch'." : `'purpose' must be 'batch', got '${fields.purpose}'.`, 'purpose', { missing });
    }
    if (stored === undefined) throw new InvalidRequestError("Missing 'file': send the file as a multipart part named 'file'.", 'file', { missing: true });
    return c.json(encodeFile(stored));
  });

  routes.get('/files', async (c) => {
    const query = listSchema.safeParse(c.req.query());
    if (!query.success) {
      const issue = query.error.issues[0];
      throw new InvalidRequestError(issue?.message ?? 'The query is invalid.', issue?.path.join('.'));
    }
    const { purpose, limit, after } = query.data;
    const page = await files.list(owner(c), { limit: limit + 1, ...(purpose === undefined ? {} : { purpose }), ...(after === undefined ? {} : { after }) });
    return c.json(encodeFileList(page.slice(0, limit), page.length > limit));
  });

  routes.get('/files/:id', async (c) => {
    const file = await files.get(owner(c), c.req.param('id'));
    if (file === undefined) throw notFound(c.req.param('id'));
    return c.json(encodeFile(file));
  });

  routes.get('/files/:id/content', async (c) => {
    const file = await files.get(owner(c), c.req.param('id'));
    const content = file && (await files.read(owner(c), file.id));
    if (file === undefined || content === undefined) throw notFound(c.req.param('id'));
    const body = Readable.toWeb(Readable.from(content)) as ReadableStream<Uint8Array>;
    return c.body(body, 200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(file.bytes) });
  });

  routes.delete('/files/:id', async (c) => {
    if (!(await files.delete(owner(c), c.req.param('id')))) throw notFound(c.req.param('id'));
    return c.json(encodeFileDeleted(c.req.param('id')));
  });

  for (const [path, allowed] of [['/files', ['GET', 'POST']], ['/files/:id', ['GET', 'DELETE']], ['/files/:id/content', ['GET']]] as const) {
    routes.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, allowed);
    });
  }
  return routes;
}
