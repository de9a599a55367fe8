import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { pinnedModelStates } from '../src/cli/pinned-model-states.js';
import type { LocalCatalogModel } from '../src/config/model-catalog.js';
import { loadServerConfig } from '../src/config/server-config.js';
import { createApp } from '../src/http/app.js';
import { createHttpServer } from '../src/http/create-http-server.js';
import { testPool } from './support/test-pool.js';
import { tinyModelPath } from './test-model.js';

// A server whose pinned model is still loading says it is not ready (start-up-ready.test.ts sees this through `studio serve`).
describe('GET /ready and /health around a pinned model that is still loading, then a drain', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('is 503 loading until the pinned model is loaded, 200 then, and 503 draining at once on drain while /health stays 200', async () => {
    const config = loadServerConfig({ model: await tinyModelPath(), 'model-name': 'tiny', port: '0', threads: '1', ctx: '256' }, {});
    const entry = config.models[0] as LocalCatalogModel;
    // The model's file arrives when the test says, as a slow download would.
    let release: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (release = resolve));
    const pool = testPool(
      [{ name: entry.name, source: entry.source, contextSize: entry.context, parallel: entry.parallel, gpuLayers: entry.gpuLayers, pinned: entry.pinned }],
      {
        resolveSource: async (source: string) => {
          await arrived;
          return source;
        },
      },
    );
    cleanup.push(() => pool.dispose());
    const logger = pino({ level: 'silent' });
    const app = createApp({
      engine: pool,
      apiKeys: [],
      maxBodyBytes: 1 << 20,
      requestTimeoutMs: 30_000,
      writeTimeoutMs: 30_000,
      logger,
      observers: [],
      requiredModels: pinnedModelStates(pool, config.models),
    });
    const server = createHttpServer(app, { hostname: '127.0.0.1', port: 0, timeouts: { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 }, logger });
    await once(server, 'listening');
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const loading = pool.loadPinned();
    const during = await fetch(`${url}/ready`);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ status: 'loading', models: { tiny: 'loading' } });
    expect((await fetch(`${url}/health`)).status).toBe(200);

    release();
    await loading;
    const after = await fetch(`${url}/ready`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'ready', models: { tiny: 'loaded' } });

    app.drain();
    const draining = await fetch(`${url}/ready`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'draining' });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'draining' });
  });
});
