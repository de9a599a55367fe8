import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from './app-env.js';
import { mountPlayground } from './playground.js';

function appOn(root: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/v1/models', (c) => c.json({ data: [] }));
  mountPlayground(app, root);
  app.notFound((c) => c.json({ error: { message: 'Not found.' } }, 404));
  return app;
}

describe('the Playground files', () => {
  let root: string;
  let app: Hono<AppEnv>;
  const html = '<!doctype html><title>Studio Playground</title><script type="module" src="./assets/index-abc.js"></script>';
  const script = 'console.log("playground")';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'studio-web-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), html);
    await writeFile(join(root, 'index.html.gz'), gzipSync(html));
    await writeFile(join(root, 'assets', 'index-abc.js'), script);
    await writeFile(join(root, 'assets', 'index-abc.js.gz'), gzipSync(script));
    app = appOn(root);
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves index.html at / for revalidation, under a policy that allows only this server', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await response.text()).toBe(html);
  });

  it('serves hashed assets with their type, cached for good, gzipped for a client that accepts it', async () => {
    const plain = await app.request('/assets/index-abc.js');
    expect(plain.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await plain.text()).toBe(script);

    const gzipped = await app.request('/assets/index-abc.js', { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gzipped.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(gunzipSync(Buffer.from(await gzipped.arrayBuffer())).toString()).toBe(script);
  });

  it("answers the page's own routes with index.html", async () => {
    for (const path of ['/chat', '/compare', '/templates/new']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toBe(html);
    }
  });

  it('leaves API paths, paths outside its pages, missing files and paths that climb out to the 404', async () => {
    for (const path of ['/nowhere', '/healthz', '/metrics-not-here', '/v1/nothing', '/compatible-mode/v1/nothing', '/api/v1/nothing', '/admin/v1/nothing', '/v1', '/favicon.ico', '/assets/missing.js', '/assets/..%2f..%2fetc%2fpasswd']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({ error: { message: 'Not found.' } });
    }
    expect((await app.request('/v1/models')).status).toBe(200);
  });

  it('answers HEAD without a body', async () => {
    const response = await app.request('/', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});

describe('without a built Playground', () => {
  it('shows the short home page at / and nothing for other paths', async () => {
    const app = appOn(join(tmpdir(), 'studio-web-never-built'));
    const page = await app.request('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Studio is running');
    expect((await app.request('/chat')).status).toBe(404);
  });
});
