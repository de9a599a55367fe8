// A loopback HTTP server that serves files from memory with Range support, can cut a response short on purpose,
// and answers the Hugging Face Hub's and ModelScope's lookups of a repository's files.
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  readonly body: Buffer;
  /** Extra response headers, e.g. the ones a Hugging Face resolve URL sends. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer every request with the whole file, as servers without Range support do. */
  readonly ignoreRange?: boolean;
}

/** A file of a repository on a model hub. */
export interface HubFile {
  /** Its path in the repository, e.g. `Qwen3-0.6B-Q8_0.gguf` or `Q8_0/model.gguf`. */
  readonly path: string;
  readonly body: Buffer;
  /** The sha256 the hub publishes for it; the body's own by default. */
  readonly sha256?: string;
}

export interface FileServer {
  readonly url: string;
  /** Every request in arrival order: method, path, query (`?a=b`, or '') and headers. */
  readonly requests: { method: string; path: string; query: string; headers: IncomingHttpHeaders }[];
  /** Serves `body` at `path` (which starts with `/`). */
  serve(path: string, file: ServedFile): void;
  /**
   * Publishes a repository (`owner/repo`, branch main) as the Hugging Face Hub does: the manifest llama.cpp reads for each
   * quantization of `tags` (tag → file path), and each file at its resolve URL, with the LFS size and sha256 in its headers.
   */
  huggingFaceRepo(repo: string, files: readonly HubFile[], tags: Readonly<Record<string, string>>): void;
  /**
   * Publishes a repository (`owner/repo`, revision master) as ModelScope does: the file list API
   * (`/api/v1/models/owner/repo/repo/files`) and the download URL (`/api/v1/models/owner/repo/repo?Revision=master&FilePath=…`),
   * which redirects to the file at `/storage/owner/repo/<path>`, where faults such as `cutAfter` apply.
   */
  modelScopeRepo(repo: string, files: readonly HubFile[]): void;
  /**
   * The next GET responses of `path` end after `bytes` bytes of body (the socket is destroyed), once per entry.
   * A client may lose the last bytes before the cut, so it resumes at or before that offset.
   */
  cutAfter(path: string, ...bytes: number[]): void;
  /** The next GET of `path` sends `bytes` bytes of body and then nothing, until the client gives up. */
  stallAfter(path: string, bytes: number): void;
  /** GETs of `path` wait for an answer until the returned function is called, as a slow download would. */
  hold(path: string): () => void;
  close(): Promise<void>;
}

function parseRange(header: string | undefined, size: number): number | undefined {
  const match = /^bytes=(\d+)-$/.exec(header ?? '');
  if (match === null) return undefined;
  return Math.min(Number(match[1]), size);
}

interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

function json(status: number, value: unknown): Answer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function sha256Of(file: HubFile): string {
  return file.sha256 ?? createHash('sha256').update(file.body).digest('hex');
}

/** The entries of ModelScope's recursive file list: each file, and a `tree` entry for each folder above one. */
function modelScopeListing(files: readonly HubFile[]): Record<string, unknown>[] {
  const folders = new Set(files.flatMap((file) => file.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const entry = (path: string, type: 'blob' | 'tree', size: number, sha256: string): Record<string, unknown> => ({
    Name: path.split('/').at(-1),
    Path: path,
    Type: type,
    Size: size,
    Sha256: sha256,
    IsLFS: type === 'blob',
    Mode: type === 'blob' ? '33188' : '16384',
    Revision: 'c0ffee0000000000000000000000000000000000',
    CommitMessage: 'upload',
    CommitterName: 'someone',
    CommittedDate: 1745000000,
    InCheck: false,
  });
  return [
    entry('.gitattributes', 'blob', 1519, ''),
    ...[...folders].map((path) => entry(path, 'tree', 0, '')),
    ...files.map((file) => entry(file.path, 'blob', file.body.length, sha256Of(file))),
  ];
}

export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, ServedFile>();
  /** Answers computed from the query, by path: the hubs' APIs. */
  const routes = new Map<string, (query: URLSearchParams) => Answer>();
  const faults = new Map<string, { kind: 'cut' | 'stall'; bytes: number }[]>();
  const addFault = (path: string, kind: 'cut' | 'stall', bytes: number): void => {
    faults.set(path, [...(faults.get(path) ?? []), { kind, bytes }]);
  };
  const requests: FileServer['requests'] = [];
  const holds = new Map<string, Promise<void>>();
  const server: Server = createServer((request, response) => {
    const held = request.method === 'GET' ? holds.get(new URL(request.url ?? '/', 'http://localhost').pathname) : undefined;
    if (held === undefined) answer(request, response);
    else void held.then(() => answer(request, response));
  });
  function answer(request: IncomingMessage, response: ServerResponse): void {
    const { pathname: path, search, searchParams } = new URL(request.url ?? '/', 'http://localhost');
    requests.push({ method: request.method ?? 'GET', path, query: search, headers: request.headers });
    const route = routes.get(path);
    if (route !== undefined) {
      const answer = route(searchParams);
      response.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    const file = files.get(path);
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (request.method === 'HEAD') {
      response.writeHead(200, { ...file.headers, 'content-length': file.body.length }).end();
      return;
    }
    const size = file.body.length;
    const start = file.ignoreRange === true ? undefined : parseRange(request.headers.range, size);
    if (start !== undefined && start >= size) {
      response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    const from = start ?? 0;
    response.writeHead(start === undefined ? 200 : 206, {
      ...file.headers,
      'content-type': 'application/octet-stream',
      'content-length': size - from,
      'accept-ranges': 'bytes',
      ...(start === undefined ? {} : { 'content-range': `bytes ${from}-${size - 1}/${size}` }),
    });
    const fault = faults.get(path)?.shift();
    if (fault !== undefined) {
      response.write(file.body.subarray(from, from + fault.bytes), () => {
        if (fault.kind === 'cut') response.destroy();
      });
      return;
    }
    response.end(file.body.subarray(from));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    serve: (path, file) => files.set(path, file),
    huggingFaceRepo: (repo, repoFiles, tags) => {
      for (const file of repoFiles) {
        files.set(`/${repo}/resolve/main/${file.path}`, {
          body: file.body,
          headers: { 'x-linked-etag': `"${sha256Of(file)}"`, 'x-linked-size': String(file.body.length) },
        });
      }
      for (const [tag, path] of Object.entries(tags)) {
        routes.set(`/v2/${repo}/manifests/${tag}`, () => json(200, { ggufFile: { rfilename: path, size: repoFiles.find((file) => file.path === path)?.body.length } }));
      }
    },
    modelScopeRepo: (repo, repoFiles) => {
      const unknown = (what: string): Answer => json(404, { Code: 10010205001, Message: `${what} not found`, RequestId: 'fake', Success: false });
      routes.set(`/api/v1/models/${repo}/repo/files`, (query) => {
        if (query.get('Revision') !== 'master') return unknown(`revision ${query.get('Revision')}`);
        // Without Recursive=true, ModelScope lists the top folder only.
        const listed = modelScopeListing(repoFiles).filter((entry) => query.get('Recursive')?.toLowerCase() === 'true' || !String(entry.Path).includes('/'));
        return json(200, { Code: 200, Data: { Files: listed, LatestCommitter: null }, Message: 'success', RequestId: 'fake', Success: true });
      });
      routes.set(`/api/v1/models/${repo}/repo`, (query) => {
        const file = repoFiles.find((candidate) => candidate.path === query.get('FilePath'));
        if (file === undefined || query.get('Revision') !== 'master') return unknown(`file ${query.get('FilePath')}`);
        return { status: 302, headers: { location: `/storage/${repo}/${file.path}` } };
      });
      for (const file of repoFiles) files.set(`/storage/${repo}/${file.path}`, { body: file.body });
    },
    cutAfter: (path, ...bytes) => bytes.forEach((count) => addFault(path, 'cut', count)),
    stallAfter: (path, bytes) => addFault(path, 'stall', bytes),
    hold: (path) => {
      let release: () => void = () => {};
      holds.set(path, new Promise((resolve) => (release = resolve)));
      return () => {
        holds.delete(path);
        release();
      };
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
