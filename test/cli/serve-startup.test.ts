import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, isolatedEnvironment, outputUntil, studio } from '../support/studio-process.js';
import { tinyModelPath } from '../test-model.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('studio serve at start-up', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => taken.close(resolve)));

  it('says in one line that the port is taken, before it looks at the model', async () => {
    // A model that does not exist: had the model come first, this would be the error.
    const result = await finished(studio(['serve', '--model', '/nonexistent/model.gguf', '--port', String(port)]));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `studio: Port ${port} on 127.0.0.1 is already in use (is another Studio running?); choose another with --port <port> (or STUDIO_PORT).`,
    ]);
  });

  /** `npm start` in a process group of its own, as a terminal runs it; resolves once Studio listens. */
  async function npmStart(): Promise<{ npm: ChildProcessWithoutNullStreams; url: string; exited: Promise<number | null> }> {
    const isolated = isolatedEnvironment();
    const args = ['--model', await tinyModelPath(), '--model-name', 'tiny', '--port', '0', '--threads', '1', '--ctx', '256', '--parallel', '1'];
    const npm = spawn('npm', ['start', '--', ...args], { cwd: root, env: isolated.env, detached: true });
    // Its exit, not the close of its output: a server left behind would hold that open.
    const exited = new Promise<number | null>((resolve) => npm.on('exit', resolve));
    void exited.then(isolated.removeDataDir);
    const url = /listening on (http:\/\/\S+)/.exec(await outputUntil(npm, /listening on http:\/\/\S+\n/))?.[1] ?? '';
    expect((await fetch(`${url}/health`)).status).toBe(200);
    return { npm, url, exited };
  }

  it('stops when the npm process that runs `npm start` gets SIGTERM', async () => {
    const { npm, url, exited } = await npmStart();
    npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The server itself is gone, not only npm: nothing listens on its port any more.
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('drains on a Ctrl-C under `npm start`, though npm passes the SIGINT on a second time', async () => {
    const { npm, url, exited } = await npmStart();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'Write a long essay.' }], max_tokens: 200, stream: true }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);

    // What Ctrl-C does: SIGINT to every process of the terminal's group, npm and Studio alike.
    process.kill(-(npm.pid ?? 0), 'SIGINT');
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    // Drained: npm's copy of the SIGINT, taken for a second Ctrl-C, would have cut the stream and exited 130.
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await exited).toBe(0);
  });
});
