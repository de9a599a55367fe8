// Checks that Studio's batching patch (patches/) is applied to the installed node-llama-cpp: without it everything works, only slower.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Each hunk of the patch adds a comment that starts with this. */
const PATCH_MARKER = '// Studio:';

/** The file the patch changes, in the node-llama-cpp that Studio loads. */
export function llamaContextFile(): string {
  const index = createRequire(import.meta.url).resolve('node-llama-cpp');
  return join(dirname(index), 'evaluator', 'LlamaContext', 'LlamaContext.js');
}

/** One line on what the missing patch costs and how to apply it; undefined when it is in place. */
export function batchingPatchWarning(file: string = llamaContextFile()): string | undefined {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    source = '';
  }
  if (source.includes(PATCH_MARKER)) return undefined;
  return (
    `warning: node-llama-cpp is missing Studio's batching patch (${file} has no "${PATCH_MARKER}" lines), so parallel requests ` +
    'decode in split batches, about half as fast at 8 streams. Run `npx patch-package` in Studio\'s folder (npm ci runs it), then restart.'
  );
}
