// What Studio logs when an upstream endpoint goes down, comes back or is busy: the model and host:port, never the endpoint's key.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/serve.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { eventually, memoryLogger, startCatalogServer } from '../support/test-server.js';
import { endpointOf, upstreamModel } from '../support/upstream-catalog.js';

const UPSTREAM_KEY = 'sk-upstream-secret-5151';

let fake: FakeUpstream;
let server: RunningServer;
const log = memoryLogger('debug');

const logged = (msg: string): Record<string, unknown> | undefined => log.lines().find((line) => line.msg === msg);

beforeAll(async () => {
  fake = await startFakeUpstream({ apiKey: UPSTREAM_KEY });
  // Its first health check fails, so the endpoint goes down at once.
  fake.setModelsStatus(503);
  server = await startCatalogServer([upstreamModel('logged', [endpointOf(fake, { apiKey: UPSTREAM_KEY })])], {}, log.logger);
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

it('logs an endpoint going down as a warning, and coming back up as news', async () => {
  await eventually(() => logged('upstream endpoint down') !== undefined);
  const { host } = new URL(fake.url);
  expect(logged('upstream endpoint down')).toMatchObject({ level: 40, model: 'logged', endpoint: host, reason: 'health check answered 503' });
  fake.setModelsStatus(200);
  await eventually(() => logged('upstream endpoint up') !== undefined);
  expect(logged('upstream endpoint up')).toMatchObject({ level: 30, model: 'logged', endpoint: host });
});

it('logs an endpoint that answers 429 as busy, at debug level', async () => {
  fake.script({ kind: 'status', status: 429, retryAfter: 2 });
  const response = await fetch(`${server.url}/compatible-mode/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'logged', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(response.status).toBe(503);
  expect(logged('upstream endpoint busy')).toMatchObject({ level: 20, model: 'logged', endpoint: new URL(fake.url).host, reason: 'skipped for 2000 ms' });
  expect(log.text()).not.toContain(UPSTREAM_KEY);
});
