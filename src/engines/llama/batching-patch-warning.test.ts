import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchingPatchWarning, llamaContextFile } from './batching-patch-warning.js';

const directory = mkdtempSync(join(tmpdir(), 'studio-patch-check-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the batching patch check', () => {
  it('finds the patch in the installed node-llama-cpp', () => {
    expect(llamaContextFile()).toMatch(/node-llama-cpp[/\\]dist[/\\]evaluator[/\\]LlamaContext[/\\]LlamaContext\.js$/);
    expect(batchingPatchWarning()).toBeUndefined();
  });

  it('warns in one line, with the cost and the fix, when the file lacks the patch or cannot be read', () => {
    const unpatched = join(directory, 'LlamaContext.js');
    writeFileSync(unpatched, 'export class LlamaContext {\n    _scheduleDecode() {}\n}\n');
    for (const file of [unpatched, join(directory, 'missing.js')]) {
      const warning = batchingPatchWarning(file);
      expect(warning).toContain(file);
      expect(warning).toContain('half as fast');
      expect(warning).toContain('npx patch-package');
      expect(warning).not.toContain('\n');
    }
  });
});
