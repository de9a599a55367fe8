// Answers what Node's HTTP parser refuses before a request exists (headers too large or too slow, malformed
// HTTP) in the wire's JSON shape with a request id, where Node would write a bare status line.
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ClientTimeoutError, HeadersTooLargeError, InvalidRequestError, type RenderableError } from '../core/errors.js';
import { errorAnswer } from './error-answer.js';
import { wireFor } from './mount-wires.js';

/** How long an answered connection may stay open for the client to read the answer and close its side. */
const LINGER_MS = 5000;

const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r?\n/;

function refusal(error: NodeJS.ErrnoException, server: Server): RenderableError | undefined {
  if (error.code === 'HPE_HEADER_OVERFLOW') return new HeadersTooLargeError(maxHeaderSize);
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ClientTimeoutError(`The request headers did not arrive within ${server.headersTimeout / 1000} s.`);
  if (error.code?.startsWith('HPE_')) return new InvalidRequestError('The request is not valid HTTP/1.1.');
  return undefined;
}

export function answerClientErrors(server: Server, logger: Logger): void {
  // Requests whose response is not yet finished, per connection: a connection with one is the app's to answer.
  const open = new WeakMap<Socket, number>();
  server.on('request', (request, response) => {
    const socket = request.socket;
    open.set(socket, (open.get(socket) ?? 0) + 1);
    response.once('close', () => open.set(socket, (open.get(socket) ?? 1) - 1));
  });

  const answered = new WeakSet<Socket>();
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    if (answered.has(socket)) return;
    const refused = refusal(error, server);
    if (refused === undefined || !socket.writable || (open.get(socket) ?? 0) > 0) return void socket.destroy();
    answered.add(socket);
    // The request line is known when the refused bytes begin with it, as they do for one oversized request.
    const [, method, path] = REQUEST_LINE.exec(error.rawPacket?.subarray(0, 8192).toString('latin1') ?? '') ?? [];
    const requestId = randomUUID();
    const { status, headers, body } = errorAnswer(refused, wireFor(path ?? '/'), requestId);
    const json = JSON.stringify(body);
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(json)}`,
      'Connection: close',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${json}`);
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
    logger.info({ requestId, method, path, status }, 'request');
  });
}
