// The Playground (web/, built to web/dist by `npm run build`) at `/`: its files, and its index.html for its own
// routes; API paths keep their wire's 404. Without a build, `/` shows the short home page instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';
import { homePage } from './home-page.js';

/** The same folder from src/http (tsx, tests) and from dist/http (the built CLI). */
const WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The Playground's pages (web/src/app.tsx): only these answer with index.html, so a probe or a typo elsewhere still gets its 404. */
const PAGE_SECTIONS = new Set(['', 'chat', 'compare', 'templates', 'usage', 'keys']);

/** Vite names every file under assets/ by its content's hash: a new build is a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** What the page itself may load and call: only this server. Styles inline for Preact's style props. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/** A path the page routes itself: under one of its sections, and not a file (no extension in its last segment). */
function isPageRoute(path: string): boolean {
  return PAGE_SECTIONS.has(path.split('/')[1] ?? '') && !/\.[^/]*$/.test(path);
}

/** Serves with `serve`, adding `headers` to a file found (a miss goes on to the 404, without them). */
function withHeaders(serve: MiddlewareHandler<AppEnv>, headers: Record<string, string>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const response = await serve(c, next);
    if (response instanceof Response) for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };
}

export function mountPlayground(app: Hono<AppEnv>, root: string = WEB_ROOT): void {
  if (!existsSync(`${root}/index.html`)) {
    app.get('/', homePage);
    return;
  }
  const files = withHeaders(serveStatic({ root, precompressed: true }), { 'Cache-Control': IMMUTABLE, 'X-Content-Type-Options': 'nosniff' });
  // Always revalidated: it names the current build's assets.
  const index = withHeaders(serveStatic({ root, path: 'index.html', precompressed: true }), {
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
  });
  app.get('/assets/*', files);
  app.get('*', (c, next) => (isPageRoute(c.req.path) ? index(c, next) : next()));
}
