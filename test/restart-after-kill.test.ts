import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, outputUntil, servingProcessId, studio } from './support/studio-process.js';
import { startTestServer } from './support/test-server.js';
import { tinyModelPath } from './test-model.js';

describe('a server started after another was killed with SIGKILL', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'restart-after-kill-'));
  });
  afterAll(() => rm(temp, { recursive: true, force: true }));

  const sequenceFolders = async (): Promise<string[]> => (await readdir(temp)).filter((name) => name.startsWith('studio-sequences-'));

  it('removes the folder of state files the killed one left, and leaves none of its own once stopped', async () => {
    const child = studio(['serve', '--model', await tinyModelPath(), '--port', '0', '--ctx', '256', '--threads', '1', '--data-dir', join(temp, 'data')], { TMPDIR: temp });
    const exited = finished(child);
    await outputUntil(child, /listening on/);
    const [left, ...more] = await sequenceFolders();
    expect(more).toEqual([]);
    // Named by the process that serves: the started one, or its huge-pages child.
    expect(left).toMatch(new RegExp(`^studio-sequences-${servingProcessId(child.pid ?? 0)}-`));
    child.kill('SIGKILL');
    expect((await exited).code).toBeNull();
    expect(await sequenceFolders()).toEqual([left]);

    // The next server, in this process, takes the same temp folder (the OS reads TMPDIR whenever it is asked).
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      const server = await startTestServer();
      expect(await sequenceFolders()).toEqual([expect.stringMatching(new RegExp(`^studio-sequences-${process.pid}-`))]);
      await server.close();
      expect(await sequenceFolders()).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
  });
});
