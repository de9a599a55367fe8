// Reading queue depth from a loopback metrics server: an endpoint without metrics is told apart from one slow to answer.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../../test/support/closed-port.js';
import { readQueueDepth } from './read-queue-depth.js';

/** `/status/N` answers N, `/slow` answers after two seconds, `/broken` sends a line that does not parse, `/big` a body over the cap. */
const server = createServer((request, response) => {
  const status = /^\/status\/(\d+)$/.exec(request.url ?? '')?.[1];
  if (status !== undefined) return void response.writeHead(Number(status)).end('nope');
  if (request.url === '/slow') return void setTimeout(() => response.end('vllm:num_requests_waiting 1\n'), 2_000);
  if (request.url === '/broken') return void response.end('vllm:num_requests_waiting{model_name="m" 3\n');
  if (request.url === '/big') return void response.end('#'.repeat(9 << 20));
  response.end('vllm:num_requests_waiting{model_name="m"} 3\n');
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function read(path: string, origin = base): Promise<unknown> {
  return readQueueDepth({ url: `${base}/v1`, model: 'm', weight: 1, metricsUrl: `${origin}${path}` }, 1_000, AbortSignal.timeout(5_000));
}

describe('readQueueDepth', () => {
  it('reads the depth', async () => {
    expect(await read('/metrics')).toEqual({ depth: 3 });
  });

  it.each(['/status/404', '/status/401', '/status/501', '/broken', '/big'])('says %s has no metrics', async (path) => {
    expect(await read(path)).toMatchObject({ failure: 'absent' });
  });

  it.each(['/slow', '/status/503', '/status/504'])('says %s failed for now', async (path) => {
    expect(await read(path)).toMatchObject({ failure: 'transient' });
  });

  it('says a port nobody listens on failed for now', async () => {
    expect(await read('/metrics', `http://127.0.0.1:${await closedPort()}`)).toMatchObject({ failure: 'transient' });
  });
});
