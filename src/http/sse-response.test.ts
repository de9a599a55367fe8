import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeoutError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';
import { sseResponse } from './sse-response.js';

const FRAME = `data: ${'x'.repeat(64 * 1024)}\n\n`;
const FRAMES = 1024;

/** Frames for a client that may not read them; records how many were taken and how the stream was stopped. */
class Frames {
  taken = 0;
  readonly stopped: Promise<unknown>;
  #stop!: (reason: unknown) => void;

  constructor() {
    this.stopped = new Promise((resolve) => (this.#stop = resolve));
  }

  async *frames(): AsyncGenerator<string> {
    try {
      for (; this.taken < FRAMES; this.taken++) yield FRAME;
      this.#stop('completed');
    } catch (reason) {
      this.#stop(reason);
    } finally {
      this.#stop('returned');
    }
  }
}

describe('sseResponse', () => {
  let server: ServerType;
  let port: number;
  /** The frames the next request streams. */
  let current: Frames;

  beforeAll(async () => {
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      c.set('writeTimeoutMs', 500);
      await next();
    });
    app.get('/stream', (c) => sseResponse(c, current.frames(), 'text/event-stream'));
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** A client that sends its request and reads nothing. */
  async function stalledClient(): Promise<Socket> {
    current = new Frames();
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    socket.pause();
    socket.write('GET /stream HTTP/1.1\r\nHost: studio\r\n\r\n');
    return socket;
  }

  /** Reads what the server sent until it closes the connection. */
  async function readToClose(socket: Socket): Promise<number> {
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.resume();
    await once(socket, 'close');
    return received;
  }

  it('takes no more frames than the socket and a bounded queue hold from a client that reads nothing, then cuts it', async () => {
    const socket = await stalledClient();
    const reason = await current.stopped;

    // Were every write buffered, all 64 MiB would be taken at once and the timeout would never come.
    expect(reason).toBeInstanceOf(TimeoutError);
    expect(current.taken * FRAME.length).toBeLessThan((FRAMES * FRAME.length) / 2);
    const received = await readToClose(socket);
    expect(received).toBeLessThan(FRAMES * FRAME.length);
  });

  it('sends every frame to a client that reads', async () => {
    current = new Frames();
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    socket.write('GET /stream HTTP/1.1\r\nHost: studio\r\nConnection: close\r\n\r\n');
    const received = await readToClose(socket);
    expect(await current.stopped).toBe('completed');
    expect(received).toBeGreaterThan(FRAMES * FRAME.length);
  });
});
