// `studio serve` on Linux with glibc runs in a child whose malloc asks for transparent huge pages; the command's own
// process passes signals on and ends as the child does.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hugePagesChildEnvironment } from '../../src/config/huge-pages-environment.js';
import { isProcessRunning } from '../../src/lib/process-running.js';
import { finished, outputUntil, servingProcessId, studio } from '../support/studio-process.js';
import { tinyModelPath } from '../test-model.js';

const relaunches = hugePagesChildEnvironment(['node', 'studio', 'serve']) !== undefined;
if (!relaunches) console.warn('serve-huge-pages: skipped, as this machine has no transparent huge pages or no glibc');

const environOf = (pid: number): string[] => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
const anonHugePagesKb = (pid: number): number => Number(/^AnonHugePages:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);

describe.runIf(relaunches)('studio serve with huge pages', () => {
  const serve = async (env: NodeJS.ProcessEnv = {}) => {
    // 8 × 2048 cells: a KV cache of a few MiB, room for whole huge pages.
    const child = studio(['serve', '--model', await tinyModelPath(), '--port', '0', '--ctx', '2048', '--parallel', '8', '--threads', '1'], env);
    const exited = finished(child);
    await outputUntil(child, /listening on/);
    return { child, exited, serving: servingProcessId(child.pid ?? 0) };
  };

  it("serves from a child whose malloc takes huge pages, and ends with the child's exit code after SIGTERM", async () => {
    const { child, exited, serving } = await serve();
    expect(serving).not.toBe(child.pid);
    expect(environOf(serving)).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    // The model's context is allocated: some of it sits in huge pages.
    expect(anonHugePagesKb(serving)).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toMatchObject({ code: 0 });
    expect(isProcessRunning(serving)).toBe(false);
  });

  it('ends the server at once when the started process is killed with SIGKILL', async () => {
    const { child, exited, serving } = await serve();
    child.kill('SIGKILL');
    expect((await exited).code).toBeNull();
    await expect.poll(() => isProcessRunning(serving), { timeout: 5000 }).toBe(false);
  });

  it('keeps to a GLIBC_TUNABLES that names the tunable: no child', async () => {
    const { child, exited, serving } = await serve({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' });
    expect(serving).toBe(child.pid);
    child.kill('SIGTERM');
    expect(await exited).toMatchObject({ code: 0 });
  });
});
