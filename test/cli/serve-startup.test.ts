import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, outputUntil, studio } from '../support/studio-process.js';
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

  it('stops when the npm process that runs `npm start` gets SIGTERM', async () => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(STUDIO_|DASHSCOPE_)/.test(name)));
    const args = ['--model', await tinyModelPath(), '--port', '0', '--threads', '1', '--ctx', '256', '--parallel', '1'];
    const npm = spawn('npm', ['start', '--', ...args], { cwd: root, env: clean });
    // Its exit, not the close of its output: a server left behind would hold that open.
    const exited = new Promise((resolve) => npm.on('exit', resolve));
    const url = /listening on (http:\/\/\S+)/.exec(await outputUntil(npm, /listening on http:\/\/\S+\n/))?.[1];
    expect((await fetch(`${url}/health`)).status).toBe(200);

    npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The server itself is gone, not only npm: nothing listens on its port any more.
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
