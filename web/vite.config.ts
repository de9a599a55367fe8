// Builds the Playground into web/dist, which src/http serves at `/`; each file also gzipped beside it for clients that accept it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** Served as `name.gz` by the static handler when the client accepts gzip; the page then costs its gzipped size. */
function gzipBeside(): Plugin {
  return {
    name: 'gzip-beside',
    apply: 'build',
    // After writing, when index.html is in the bundle too.
    writeBundle(options, bundle) {
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css|html)$/.test(file.fileName) || options.dir === undefined) continue;
        const source = file.type === 'chunk' ? file.code : file.source;
        writeFileSync(join(options.dir, `${file.fileName}.gz`), gzipSync(source, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the page also works behind a proxy that serves Studio under a sub-path.
  base: './',
  plugins: [gzipBeside()],
  // `npm run dev:web`: the page with hot reload, calling a Studio already running on its default port.
  server: {
    proxy: Object.fromEntries(['/compatible-mode', '/v1', '/api', '/admin', '/health'].map((path) => [path, 'http://127.0.0.1:8000'])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline polyfill script, so the page runs under a Content-Security-Policy without 'unsafe-inline' scripts.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
