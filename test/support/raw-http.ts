// Raw HTTP/1.1 over node:net, for what fetch hides: headers and bodies sent in pieces, pauses, a client that leaves.
import { connect } from 'node:net';

/**
 * Bytes to send, a pause in sending, a pause in reading (what arrives meanwhile waits in the kernel's small
 * socket buffers, then the server's writes wait), or leaving: the socket is destroyed.
 */
export type RawStep = string | Buffer | { readonly pauseMs: number } | { readonly holdMs: number } | 'leave';

export interface RawResult {
  /** Everything the server sent, up to the connection's close. */
  readonly received: string;
  /** A socket error seen on the way (a write into a reset connection, a reset while reading). */
  readonly error: string | undefined;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends the steps in order and resolves once the connection has closed. */
export function rawExchange(url: string, steps: readonly RawStep[]): Promise<RawResult> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let error: string | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', (thrown: NodeJS.ErrnoException) => (error ??= thrown.code ?? thrown.message));
    socket.on('close', () => resolve({ received, error }));
    void (async () => {
      for (const step of steps) {
        if (socket.destroyed) return;
        if (step === 'leave') return void socket.destroy();
        if (typeof step === 'object' && 'pauseMs' in step) await new Promise((wake) => setTimeout(wake, step.pauseMs));
        else if (typeof step === 'object' && 'holdMs' in step) {
          socket.pause();
          await new Promise((wake) => setTimeout(wake, step.holdMs));
          socket.resume();
        } else await new Promise<void>((written) => socket.write(step, () => written()));
      }
    })();
  });
}

/** The first response in what a server sent; its body is cut to its Content-Length. */
export function parseResponse(received: string): RawResponse {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(received.slice(0, 200))}`);
  const [statusLine = '', ...lines] = received.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = received.slice(end + 4);
  const length = headers['content-length'];
  return { status: Number(statusLine.split(' ')[1]), headers, body: length === undefined ? rest : rest.slice(0, Number(length)) };
}

/** A request head for `path` with the given extra header lines. */
export function requestHead(method: string, path: string, headers: Readonly<Record<string, string | number>> = {}): string {
  const lines = Object.entries({ Host: 'localhost', ...headers }).map(([name, value]) => `${name}: ${value}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
