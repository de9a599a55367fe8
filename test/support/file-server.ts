// A loopback HTTP server that serves files from memory with Range support, and can cut a response short on purpose.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  readonly body: Buffer;
  /** Extra response headers, e.g. the ones a Hugging Face resolve URL sends. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer every request with the whole file, as servers without Range support do. */
  readonly ignoreRange?: boolean;
}

export interface FileServer {
  readonly url: string;
  /** Every request in arrival order: method, path and headers. */
  readonly requests: { method: string; path: string; headers: IncomingHttpHeaders }[];
  /** Serves `body` at `path` (which starts with `/`). */
  serve(path: string, file: ServedFile): void;
  /**
   * The next GET responses of `path` end after `bytes` bytes of body (the socket is destroyed), once per entry.
   * A client may lose the last bytes before the cut, so it resumes at or before that offset.
   */
  cutAfter(path: string, ...bytes: number[]): void;
  /** The next GET of `path` sends `bytes` bytes of body and then nothing, until the client gives up. */
  stallAfter(path: string, bytes: number): void;
  close(): Promise<void>;
}

function parseRange(header: string | undefined, size: number): number | undefined {
  const match = /^bytes=(\d+)-$/.exec(header ?? '');
  if (match === null) return undefined;
  return Math.min(Number(match[1]), size);
}

export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, ServedFile>();
  const faults = new Map<string, { kind: 'cut' | 'stall'; bytes: number }[]>();
  const addFault = (path: string, kind: 'cut' | 'stall', bytes: number): void => {
    faults.set(path, [...(faults.get(path) ?? []), { kind, bytes }]);
  };
  const requests: FileServer['requests'] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers });
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
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    serve: (path, file) => files.set(path, file),
    cutAfter: (path, ...bytes) => bytes.forEach((count) => addFault(path, 'cut', count)),
    stallAfter: (path, bytes) => addFault(path, 'stall', bytes),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
