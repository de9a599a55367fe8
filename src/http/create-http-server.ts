// The Node HTTP server in front of the app: connection timeouts set on purpose, Node's own refusals in the wire's shape.
import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { answerClientErrors } from './answer-client-errors.js';
import type { StudioApp } from './app.js';

export interface ConnectionTimeouts {
  /** From a request's first byte to the end of its headers. */
  readonly headersMs: number;
  /** From the end of the headers to the end of the body (the app's body deadline). */
  readonly requestMs: number;
  /** How long a connection may sit idle between requests. */
  readonly keepAliveMs: number;
}

export interface HttpServerOptions {
  readonly hostname: string;
  readonly port: number;
  readonly timeouts: ConnectionTimeouts;
  readonly logger: Logger;
}

/** How often Node looks for connections past a timeout; its default of 30 s would stretch a 10 s limit to 40. */
const CHECK_INTERVAL_MS = 1000;

/** Starts listening; the server emits 'listening' or 'error'. */
export function createHttpServer(app: StudioApp, { hostname, port, timeouts, logger }: HttpServerOptions): Server {
  const ms = (value: number): number => Math.max(1, Math.round(value));
  const server = createServer(
    {
      headersTimeout: ms(timeouts.headersMs),
      // Node's whole-request limit only backs up the app's body deadline and the reading of a refused body
      // after it (up to the same time again). Node counts it until the request has arrived, never through
      // the response, so a long stream is not cut.
      requestTimeout: ms(timeouts.headersMs + 2 * timeouts.requestMs + CHECK_INTERVAL_MS),
      keepAliveTimeout: ms(timeouts.keepAliveMs),
      connectionsCheckingInterval: CHECK_INTERVAL_MS,
    },
    getRequestListener(app.fetch, { hostname }),
  );
  answerClientErrors(server, logger);
  server.listen(port, hostname);
  return server;
}
