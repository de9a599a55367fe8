// Which build of node-llama-cpp's addon Studio runs on: the patched one `npm ci` builds (native/README.md), node-llama-cpp's
// prebuilt one where that build could not be made, or a local build of node-llama-cpp's own (`npx node-llama-cpp source build`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { nodeLlamaCppFolder } from './node-llama-cpp-folder.js';

export type LlamaAddon = 'patched' | 'prebuilt' | 'source-build';

/** The file native/build-addon.mjs writes beside the addon it installs. */
const MARKER_FILE = 'studio-addon.json';

function patchedBuildMarker(): string {
  return join(nodeLlamaCppFolder(), 'llama', 'localBuilds', `${process.platform}-${process.arch}`, 'Release', MARKER_FILE);
}

export function llamaAddon(llama: Pick<Llama, 'buildType' | 'gpu'>, marker: string = patchedBuildMarker()): LlamaAddon {
  if (llama.buildType === 'prebuilt') return 'prebuilt';
  // The patched build is only ever the CPU one; a GPU local build is node-llama-cpp's own.
  return llama.gpu === false && existsSync(marker) ? 'patched' : 'source-build';
}

/** One line for the start-up summary. */
export function describeLlamaAddon(addon: LlamaAddon): string {
  switch (addon) {
    case 'patched':
      return 'llama.cpp addon: patched (a persistent compute thread pool per context, and each step decoded and sampled in one call; native/README.md)';
    case 'prebuilt':
      return "llama.cpp addon: node-llama-cpp's prebuilt one (npm ci could not build the patched one, so each decode starts its compute threads; native/README.md)";
    case 'source-build':
      return "llama.cpp addon: node-llama-cpp's own source build";
  }
}
