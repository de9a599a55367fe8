// The endpoint pool against real loopback servers that answer health checks and Prometheus metrics as a test sets them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatRequest } from '../../core/chat-request.js';
import { closedPort } from '../../../test/support/closed-port.js';
import { EndpointPool, type Endpoint, type EndpointChange } from './endpoint-pool.js';
import type { UpstreamEndpointOptions, UpstreamOptions } from './upstream-options.js';

/** A loopback server answering `GET /v1/models` and `GET /metrics` with what the test sets. */
interface ProbeTarget {
  readonly url: string;
  readonly metricsUrl: string;
  modelsStatus: number;
  metricsStatus: number;
  metricsText: string;
  /** How long `/metrics` waits before it answers. */
  metricsDelayMs: number;
  /** The Authorization header of each health check, in order. */
  readonly healthChecks: (string | undefined)[];
  metricsReads: number;
}

function startProbeTarget(): Promise<{ target: ProbeTarget; server: Server }> {
  const target: ProbeTarget = { url: '', metricsUrl: '', modelsStatus: 200, metricsStatus: 200, metricsText: '', metricsDelayMs: 0, healthChecks: [], metricsReads: 0 };
  const server = createServer((request, response) => {
    if (request.url === '/v1/models') {
      target.healthChecks.push(request.headers.authorization);
      response.writeHead(target.modelsStatus, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"m","object":"model"}]}');
    } else if (request.url === '/metrics') {
      target.metricsReads += 1;
      const { metricsStatus, metricsText } = target;
      setTimeout(() => response.writeHead(metricsStatus, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText), target.metricsDelayMs);
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      Object.assign(target, { url: `http://127.0.0.1:${port}/v1`, metricsUrl: `http://127.0.0.1:${port}/metrics` });
      resolve({ target, server });
    });
  });
}

const request = (system: string, user: string, ...later: string[]): ChatRequest => ({
  model: 'm',
  messages: [{ role: 'system', content: system }, { role: 'user', content: user }, ...later.map((content) => ({ role: 'assistant' as const, content }))],
  sampling: {},
  stop: [],
});
const anyRequest = request('', 'hi');
const nothingTried: ReadonlySet<Endpoint> = new Set();

let targets: ProbeTarget[] = [];
let servers: Server[] = [];
let pools: EndpointPool[] = [];
let changes: EndpointChange[] = [];

beforeAll(async () => {
  const started = await Promise.all([startProbeTarget(), startProbeTarget(), startProbeTarget()]);
  targets = started.map(({ target }) => target);
  servers = started.map(({ server }) => server);
});
afterAll(async () => {
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});
beforeEach(() => {
  for (const target of targets) Object.assign(target, { modelsStatus: 200, metricsStatus: 200, metricsText: '', metricsDelayMs: 0, healthChecks: [], metricsReads: 0 });
  changes = [];
});
afterEach(() => {
  for (const pool of pools) pool.close();
  pools = [];
});

function endpointOf(target: ProbeTarget, options: Partial<UpstreamEndpointOptions> = {}): UpstreamEndpointOptions {
  return { url: target.url, model: 'm', weight: 1, ...options };
}

function makePool(endpoints: readonly UpstreamEndpointOptions[], options: Partial<UpstreamOptions> = {}): EndpointPool {
  const pool = new EndpointPool(
    { name: 'm', endpoints, affinity: false, contextSize: 4096, connectTimeoutMs: 1000, firstTokenTimeoutMs: 1000, healthCheckIntervalMs: 60_000, cooldownMs: 60_000, maxAttempts: 3, ...options },
    { onChange: (change) => changes.push(change) },
  );
  pools.push(pool);
  return pool;
}

const display = (target: ProbeTarget): string => new URL(target.url).host;

/** Picks and begins `count` requests without ending them; how many went to each endpoint index. */
function pileUp(pool: EndpointPool, count: number): number[] {
  const counts: number[] = [];
  for (let i = 0; i < count; i++) {
    const endpoint = pool.pick(anyRequest, nothingTried);
    if (endpoint === undefined) throw new Error('no endpoint');
    pool.begin(endpoint);
    counts[endpoint.index] = (counts[endpoint.index] ?? 0) + 1;
  }
  return counts;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('balancing', () => {
  it('spreads outstanding requests in proportion to weight', () => {
    const pool = makePool([endpointOf(targets[0]!, { weight: 2 }), endpointOf(targets[1]!, { weight: 1 })]);
    expect(pileUp(pool, 30)).toEqual([20, 10]);
  });

  it('takes equal endpoints in turn when nothing is outstanding', () => {
    const pool = makePool(targets.map((target) => endpointOf(target)));
    const order: number[] = [];
    for (let i = 0; i < 6; i++) {
      const endpoint = pool.pick(anyRequest, nothingTried)!;
      const end = pool.begin(endpoint);
      order.push(endpoint.index);
      end();
      end();
    }
    expect(order).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('skips endpoints already tried for the request', () => {
    const pool = makePool(targets.slice(0, 2).map((target) => endpointOf(target)));
    const first = pool.pick(anyRequest, nothingTried)!;
    const second = pool.pick(anyRequest, new Set([first]))!;
    expect(second.index).not.toBe(first.index);
    expect(pool.pick(anyRequest, new Set([first, second]))).toBeUndefined();
  });

  it("counts each engine's queue depth from its metrics: vLLM's, SGLang's and llama-server's", async () => {
    targets[0]!.metricsText = '# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{model_name="a"} 2.0\nvllm:num_requests_waiting{model_name="b"} 3.0\nvllm:num_requests_running 9\n';
    targets[1]!.metricsText = '# TYPE sglang:num_queue_reqs gauge\nsglang:num_queue_reqs{model_name="m"} 4\n';
    targets[2]!.metricsText = '# TYPE llamacpp:requests_deferred gauge\nllamacpp:requests_deferred 0\n';
    const pool = makePool(targets.map((target) => endpointOf(target, { metricsUrl: target.metricsUrl })));
    await vi.waitFor(() => expect(targets.every((target) => target.metricsReads >= 1)).toBe(true));
    await sleep(50);
    // Loads start at 5, 4 and 0; twelve more even them out at 7 each.
    expect(pileUp(pool, 12)).toEqual([2, 3, 7]);
  });

  it('follows a queue depth that changes, read about once a second', async () => {
    targets[0]!.metricsText = 'llamacpp:requests_deferred 0\n';
    targets[1]!.metricsText = 'llamacpp:requests_deferred 0\n';
    const pool = makePool(targets.slice(0, 2).map((target) => endpointOf(target, { metricsUrl: target.metricsUrl })));
    await vi.waitFor(() => expect(targets[0]!.metricsReads).toBeGreaterThanOrEqual(1));
    targets[0]!.metricsText = 'llamacpp:requests_deferred 10\n';
    expect([pool.pick(anyRequest, nothingTried)?.index, pool.pick(anyRequest, nothingTried)?.index].sort()).toEqual([0, 1]);
    await vi.waitFor(() => expect([pool.pick(anyRequest, nothingTried)?.index, pool.pick(anyRequest, nothingTried)?.index]).toEqual([1, 1]), {
      timeout: 3000,
      interval: 100,
    });
    expect(targets[0]!.metricsReads).toBeLessThanOrEqual(3);
  });

  it('sends batch work only where the server reports no queue, and says which endpoints queue', async () => {
    targets[0]!.metricsText = 'vllm:num_requests_waiting 2\n';
    targets[1]!.metricsText = 'vllm:num_requests_waiting 0\n';
    const pool = makePool(targets.slice(0, 2).map((target) => endpointOf(target, { metricsUrl: target.metricsUrl })));
    const one = pool.pick(anyRequest, nothingTried)!;
    const [queueing, idle] = one.index === 0 ? [one, pool.pick(anyRequest, new Set([one]))!] : [pool.pick(anyRequest, new Set([one]))!, one];
    await vi.waitFor(() => expect(pool.queued(queueing)).toBe(true));
    expect(pool.queued(idle)).toBe(false);
    for (let i = 0; i < 4; i++) expect(pool.pick(anyRequest, nothingTried, 'batch')).toBe(idle);
    expect(pool.pick(anyRequest, new Set([idle]), 'batch')).toBeUndefined();
    expect(pool.pick(anyRequest, new Set([idle]))).toBe(queueing);
  });

  it('counts a metrics URL that fails as an empty queue, reads it rarely, and never takes the endpoint out', async () => {
    targets[0]!.metricsStatus = 404;
    const pool = makePool([endpointOf(targets[0]!, { metricsUrl: targets[0]!.metricsUrl })], { healthCheckIntervalMs: 50 });
    await sleep(1500);
    expect(targets[0]!.metricsReads).toBe(1);
    expect(pool.pick(anyRequest, nothingTried)?.index).toBe(0);
    expect(changes).toEqual([]);
  });

  it('reads metrics that time out again at the usual pace, keeping the depth last read', async () => {
    targets[0]!.metricsText = 'vllm:num_requests_waiting 5\n';
    const pool = makePool(targets.slice(0, 2).map((target) => endpointOf(target, { metricsUrl: target.metricsUrl })));
    await vi.waitFor(() => expect(targets[0]!.metricsReads).toBeGreaterThanOrEqual(1));
    await sleep(50);
    // Past the 800 ms a read may take: a loaded server, not one without metrics.
    targets[0]!.metricsDelayMs = 2_000;
    await vi.waitFor(() => expect(targets[0]!.metricsReads).toBeGreaterThanOrEqual(3), { timeout: 6_000, interval: 100 });
    expect(pileUp(pool, 5)).toEqual([undefined, 5]);
    expect(changes).toEqual([]);
  });
});

describe('affinity', () => {
  const conversation = (n: number): ChatRequest => request(`system ${n}`, `question ${n}`);

  it('sends every turn of one conversation to the same endpoint, and different conversations to different ones', () => {
    const pool = makePool(targets.map((target) => endpointOf(target)), { affinity: true });
    const home = pool.pick(conversation(1), nothingTried)!;
    for (let turn = 0; turn < 5; turn++) {
      const later = request('system 1', 'question 1', ...Array.from({ length: turn }, (_, i) => `answer ${i}`));
      const endpoint = pool.pick(later, nothingTried)!;
      const end = pool.begin(endpoint);
      expect(endpoint).toBe(home);
      end();
    }
    const used = new Set(Array.from({ length: 30 }, (_, n) => pool.pick(conversation(n), nothingTried)!.index));
    expect(used.size).toBe(3);
  });

  it('moves only the conversations of an endpoint that is out, and brings them back when it recovers', async () => {
    const pool = makePool(targets.map((target) => endpointOf(target)), { affinity: true, healthCheckIntervalMs: 50, cooldownMs: 200 });
    const homes = Array.from({ length: 30 }, (_, n) => pool.pick(conversation(n), nothingTried)!);
    const down = homes[0]!;
    pool.markDown(down, 'connection refused');
    for (const [n, home] of homes.entries()) {
      const now = pool.pick(conversation(n), nothingTried)!;
      if (home === down) expect(now).not.toBe(down);
      else expect(now).toBe(home);
    }
    await vi.waitFor(() => expect(changes.map((change) => change.state)).toEqual(['down', 'up']));
    expect(pool.pick(conversation(0), nothingTried)).toBe(down);
  });

  it('leaves a conversation whose endpoint is much busier than the least-loaded one for that one', () => {
    const pool = makePool(targets.slice(0, 2).map((target) => endpointOf(target)), { affinity: true });
    const home = pool.pick(conversation(7), nothingTried)!;
    for (let i = 0; i < 4; i++) pool.begin(home);
    expect(pool.pick(conversation(7), nothingTried)).toBe(home);
    pool.begin(home);
    expect(pool.pick(conversation(7), nothingTried)).not.toBe(home);
  });
});

describe('health', () => {
  it('checks each endpoint at once and on every interval, with its key', async () => {
    makePool([endpointOf(targets[0]!, { apiKey: 'sk-test' })], { healthCheckIntervalMs: 50 });
    await vi.waitFor(() => expect(targets[0]!.healthChecks.length).toBeGreaterThanOrEqual(3));
    expect(new Set(targets[0]!.healthChecks)).toEqual(new Set(['Bearer sk-test']));
  });

  it('takes out an endpoint whose check fails, and lets it back after the cooldown once a check passes', async () => {
    const pool = makePool([endpointOf(targets[0]!)], { healthCheckIntervalMs: 50, cooldownMs: 300 });
    targets[0]!.modelsStatus = 500;
    await vi.waitFor(() => expect(changes).toEqual([{ endpoint: display(targets[0]!), state: 'down', reason: 'health check answered 500' }]));
    expect(pool.pick(anyRequest, nothingTried)).toBeUndefined();
    targets[0]!.modelsStatus = 200;
    await sleep(200);
    expect(pool.pick(anyRequest, nothingTried)).toBeUndefined();
    await vi.waitFor(() => expect(pool.pick(anyRequest, nothingTried)?.index).toBe(0));
    expect(changes.at(-1)).toEqual({ endpoint: display(targets[0]!), state: 'up' });
  });

  it('keeps an endpoint marked down out for the whole cooldown though its checks pass, and out after it while they fail', async () => {
    const pool = makePool([endpointOf(targets[0]!)], { healthCheckIntervalMs: 50, cooldownMs: 300 });
    const endpoint = pool.pick(anyRequest, nothingTried)!;
    pool.markDown(endpoint, 'first token timed out');
    expect(changes).toEqual([{ endpoint: display(targets[0]!), state: 'down', reason: 'first token timed out' }]);
    await sleep(200);
    expect(pool.pick(anyRequest, nothingTried)).toBeUndefined();
    targets[0]!.modelsStatus = 502;
    await sleep(300);
    expect(pool.pick(anyRequest, nothingTried)).toBeUndefined();
    targets[0]!.modelsStatus = 200;
    await vi.waitFor(() => expect(pool.pick(anyRequest, nothingTried)).toBe(endpoint));
    expect(changes.map((change) => change.state)).toEqual(['down', 'up']);
  });

  it('says the upstream refused the key when a check gets 401', async () => {
    targets[0]!.modelsStatus = 401;
    makePool([endpointOf(targets[0]!, { apiKey: 'sk-wrong' })], { healthCheckIntervalMs: 50 });
    await vi.waitFor(() => expect(changes).toEqual([{ endpoint: display(targets[0]!), state: 'down', reason: 'the upstream refused the key' }]));
    expect(JSON.stringify(changes)).not.toContain('sk-wrong');
  });

  it('takes out an endpoint nobody answers on', async () => {
    const port = await closedPort();
    makePool([{ url: `http://127.0.0.1:${port}/v1`, model: 'm', weight: 1 }], { healthCheckIntervalMs: 50 });
    await vi.waitFor(() => expect(changes).toEqual([{ endpoint: `127.0.0.1:${port}`, state: 'down', reason: 'health check failed: ECONNREFUSED' }]));
  });

  it('keeps no process alive: its timers do not hold the event loop', () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    makePool(targets.map((target) => endpointOf(target, { metricsUrl: target.metricsUrl })));
    expect(timers()).toBe(before);
  });

  it('stops checking and reading metrics once closed', async () => {
    const pool = makePool([endpointOf(targets[0]!, { metricsUrl: targets[0]!.metricsUrl })], { healthCheckIntervalMs: 50 });
    await vi.waitFor(() => expect(targets[0]!.healthChecks.length).toBeGreaterThanOrEqual(2));
    pool.close();
    await sleep(20);
    const seen = { checks: targets[0]!.healthChecks.length, reads: targets[0]!.metricsReads };
    await sleep(1200);
    expect({ checks: targets[0]!.healthChecks.length, reads: targets[0]!.metricsReads }).toEqual(seen);
  });
});

describe('busy endpoints and Retry-After', () => {
  it('skips a busy endpoint for its Retry-After, one second without one, and says when one may be free', async () => {
    const pool = makePool(targets.slice(0, 2).map((target) => endpointOf(target)), { cooldownMs: 5000 });
    const [first, second] = [pool.pick(anyRequest, nothingTried)!, pool.pick(anyRequest, nothingTried)!];
    pool.markBusy(first, 2500);
    expect(pool.pick(anyRequest, nothingTried)).toBe(second);
    pool.markDown(second, 'HTTP 500');
    expect(pool.pick(anyRequest, nothingTried)).toBeUndefined();
    expect(pool.retryAfterSeconds()).toBe(3);
    expect(changes).toEqual([
      { endpoint: display(targets[0]!), state: 'busy', reason: 'skipped for 2500 ms' },
      { endpoint: display(targets[1]!), state: 'down', reason: 'HTTP 500' },
    ]);

    const single = makePool([endpointOf(targets[2]!)]);
    const only = single.pick(anyRequest, nothingTried)!;
    single.markBusy(only, undefined);
    expect(single.pick(anyRequest, nothingTried)).toBeUndefined();
    expect(single.retryAfterSeconds()).toBe(1);
    await sleep(1050);
    expect(single.pick(anyRequest, nothingTried)).toBe(only);
  });

  it('counts the cooldown in Retry-After when every endpoint is down', () => {
    const pool = makePool([endpointOf(targets[0]!)], { cooldownMs: 4200 });
    pool.markDown(pool.pick(anyRequest, nothingTried)!, 'connection reset');
    expect(pool.retryAfterSeconds()).toBe(5);
  });
});
