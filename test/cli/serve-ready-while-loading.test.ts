// `studio serve` opens its port before its pinned model is in: /ready answers 503 loading, then 200 once the model has loaded.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/closed-port.js';
import { startFileServer, type FileServer } from '../support/file-server.js';
import { finished, outputUntil, studio, type Finished } from '../support/studio-process.js';
import { tinyModelPath } from '../test-model.js';

const POLL_MS = 50;

/** The first answer from `url`, asked again while nothing listens there yet; fails if the server exits first. */
async function firstAnswer(url: string, exited: Promise<Finished>): Promise<Response> {
  let gone: Finished | undefined;
  void exited.then((result) => (gone = result));
  for (;;) {
    if (gone !== undefined) throw new Error(`studio serve exited with ${gone.code} before it listened: ${gone.stdout}${gone.stderr}`);
    const response = await fetch(url).catch(() => undefined);
    if (response !== undefined) return response;
    await sleep(POLL_MS);
  }
}

/** Asks `/metrics` until `vllm:num_requests_waiting` of the model reads `count`. */
async function waitingRequests(url: string, model: string, count: number): Promise<void> {
  const sample = `vllm:num_requests_waiting{model_name="${model}"} ${count}\n`;
  while (!(await (await fetch(`${url}/metrics`)).text()).includes(sample)) await sleep(POLL_MS);
}

describe('studio serve while its pinned model loads', () => {
  let files: FileServer;
  let modelsDir: string;
  beforeAll(async () => {
    files = await startFileServer();
    files.serve('/tiny.gguf', { body: await readFile(await tinyModelPath()) });
    modelsDir = await mkdtemp(join(tmpdir(), 'studio-ready-while-loading-'));
  });
  afterAll(async () => {
    await files.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('answers /health, /metrics and /ready 503 loading, holds a chat request until the model is in, then /ready is 200', { timeout: 180_000 }, async () => {
    // The model's download is answered only after the test has seen /ready say loading, so the model cannot be in before.
    const release = files.hold('/tiny.gguf');
    const port = await closedPort();
    const args = ['--model', `${files.url}/tiny.gguf`, '--model-name', 'tiny', '--models-dir', modelsDir, '--port', String(port), '--threads', '1', '--ctx', '256'];
    const child = studio(['serve', ...args]);
    const exited = finished(child);
    const summary = outputUntil(child, /listening on http:\/\/\S+\n/);
    // Awaited below; a server that exits first fails the test there.
    summary.catch(() => undefined);
    try {
      const url = `http://127.0.0.1:${port}`;
      const loading = await firstAnswer(`${url}/ready`, exited);
      expect(loading.status).toBe(503);
      expect(await loading.json()).toEqual({ status: 'loading', models: { tiny: 'loading' } });
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const chat = fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
      });
      // /metrics answers during the load, and shows the request waiting for the model.
      await waitingRequests(url, 'tiny', 1);
      release();
      const reply = await chat;
      expect(reply.status).toBe(200);
      expect(await reply.json()).toMatchObject({ object: 'chat.completion', model: 'tiny' });

      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', models: { tiny: 'loaded' } });
      // The summary follows the load, and with it the handling of SIGTERM as a drain.
      expect(await summary).toContain(`Studio is listening on ${url}`);
    } finally {
      release();
      child.kill('SIGTERM');
    }
    const result = await exited;
    expect(result.code).toBe(0);
  });
});
