import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFileServer, type FileServer } from '../support/file-server.js';
import { finished, studio } from '../support/studio-process.js';
import { loadServerConfig } from '../../src/config/server-config.js';
import { memoryLogger, startTestServer } from '../support/test-server.js';
import { closedPort } from '../support/closed-port.js';
import { tinyModelPath } from '../test-model.js';

const stackLine = /\n\s+at /;

describe('studio serve and where its models come from', () => {
  let server: FileServer;
  let folder: string;
  let model: Buffer;

  beforeAll(async () => {
    model = await readFile(await tinyModelPath());
    server = await startFileServer();
    server.huggingFaceRepo('someone/Tiny-GGUF', [{ path: 'Tiny-Q8_0.gguf', body: model }], { Q8_0: 'Tiny-Q8_0.gguf' });
    server.modelScopeRepo('someone/Tiny-GGUF', [{ path: 'Tiny-Q8_0.gguf', body: model }]);
    folder = await mkdtemp(join(tmpdir(), 'studio-serve-sources-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('downloads hf: and modelscope: models from the hubs that --hub-endpoint and --modelscope-endpoint name, then serves them', async () => {
    const modelsDir = join(folder, 'models');
    const config = join(folder, 'hubs.json');
    const models = [
      { name: 'from-hub', source: 'hf:someone/Tiny-GGUF:Q8_0', pinned: true },
      { name: 'from-modelscope', source: 'modelscope:someone/Tiny-GGUF:Q8_0', pinned: true },
    ];
    await writeFile(config, JSON.stringify({ models }));
    const running = await startTestServer({ model: undefined, config, 'hub-endpoint': server.url, 'modelscope-endpoint': server.url, 'models-dir': modelsDir });
    try {
      expect(running.pool.loadedEngine('from-hub')?.modelPath).toBe(join(modelsDir, 'hf_someone_Tiny.Q8_0.gguf'));
      expect(running.pool.loadedEngine('from-modelscope')?.modelPath).toBe(join(modelsDir, 'ms_someone_Tiny.Q8_0.gguf'));
      expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
        'GET /v2/someone/Tiny-GGUF/manifests/Q8_0',
        'HEAD /someone/Tiny-GGUF/resolve/main/Tiny-Q8_0.gguf',
        'GET /someone/Tiny-GGUF/resolve/main/Tiny-Q8_0.gguf',
        'GET /api/v1/models/someone/Tiny-GGUF/repo/files',
        'GET /api/v1/models/someone/Tiny-GGUF/repo',
        'GET /storage/someone/Tiny-GGUF/Tiny-Q8_0.gguf',
      ]);
    } finally {
      await running.close();
    }
  });

  it('names a model served from a modelscope: URI as it names one from hf:', async () => {
    expect(loadServerConfig({ model: 'modelscope:Qwen/Qwen3-0.6B-GGUF:Q8_0' }, {}).models[0]?.name).toBe('qwen3-0.6b-q8_0');
  });

  it('logs a model that fails to load on a request in one line, without a stack', async () => {
    const config = join(folder, 'gone.json');
    await writeFile(config, JSON.stringify({ models: [{ name: 'gone', source: join(folder, 'gone.gguf') }] }));
    const log = memoryLogger();
    const running = await startTestServer({ model: undefined, config }, log.logger);
    try {
      const response = await fetch(`${running.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gone', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }),
      });
      expect(response.status).toBe(503);
      const failures = log.lines().filter((line) => line.msg === 'model failed to load');
      expect(failures).toEqual([expect.objectContaining({ level: 40, model: 'gone', reason: expect.stringContaining('No model file at') })]);
      expect(failures[0]).not.toHaveProperty('err');
      expect(JSON.stringify(failures)).not.toMatch(/\\n\s+at /);
    } finally {
      await running.close();
    }
  });

  describe('says in one line, and nothing else, why it cannot start', () => {
    it('when the model file is missing', async () => {
      const result = await finished(studio(['serve', '--model', join(folder, 'missing.gguf'), '--port', '0']));
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.startsWith(`studio: No model file at "${join(folder, 'missing.gguf')}". Pass a GGUF file with --model`)).toBe(true);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(stackLine);
    });

    it('when the hub cannot be reached', async () => {
      const port = await closedPort();
      const modelsDir = join(folder, 'unreachable');
      const result = await finished(studio(['serve', '--model', 'hf:x/y:Q8_0', '--port', '0', '--hub-endpoint', `http://127.0.0.1:${port}`, '--models-dir', modelsDir]));
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^studio: Could not download the model "hf:x\/y:Q8_0": 127\.0\.0\.1:\d+ cannot be reached to look up hf:x\/y \(/);
      expect(result.stderr).toContain(`copy it to ${join(modelsDir, 'hf_x_y.Q8_0.gguf')}`);
      expect(result.stderr).toContain('--hub-endpoint');
      // The message is said once, not once more for each error that wraps it.
      expect(result.stderr.split('cannot be reached')).toHaveLength(2);
      expect(result.stderr).not.toMatch(stackLine);
    });
  });
});
