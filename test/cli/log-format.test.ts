import { describe, expect, it } from 'vitest';
import { finished, outputUntil, studio } from '../support/studio-process.js';
import { tinyModelPath } from '../test-model.js';

/** The lines `studio serve` writes to stdout (a pipe, not a terminal) up to its start-up summary, then stopped. */
async function startUpOutput(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const child = studio(['serve', '--model', await tinyModelPath(), '--model-name', 'tiny', '--port', '0', '--threads', '1', '--ctx', '256', ...args], env);
  const done = finished(child);
  await outputUntil(child, /listening on http:\/\/\S+\n/);
  child.kill('SIGTERM');
  const result = await done;
  expect(result.code).toBe(0);
  return result.stdout.split('\n');
}

describe.concurrent('studio serve --log-format', () => {
  it('writes JSON lines with --log-format json', async () => {
    const logs = (await startUpOutput(['--log-format', 'json'])).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs).toContainEqual(expect.objectContaining({ level: 30, msg: 'model loaded', model: 'tiny' }));
  });

  it('writes readable lines with STUDIO_LOG_FORMAT=pretty, even to a pipe', async () => {
    const lines = await startUpOutput([], { STUDIO_LOG_FORMAT: 'pretty' });
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: model loaded$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\s+model: "tiny"$/));
  });
});
