// Studio's version, read from package.json (two folders up from both src/cli/ and the built dist/cli/).
import { readFileSync } from 'node:fs';

export function studioVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
