// Where node-llama-cpp is installed: its package.json and llama/ folder are not among its exports.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** Two folders above its entry point (dist/index.js). */
export function nodeLlamaCppFolder(): string {
  return dirname(dirname(createRequire(import.meta.url).resolve('node-llama-cpp')));
}
