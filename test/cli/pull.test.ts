import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import prettyBytes from 'pretty-bytes';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFileServer, type FileServer } from '../support/file-server.js';
import { finished, studio, type Finished } from '../support/studio-process.js';
import { tinyModelPath } from '../test-model.js';

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return finished(studio(args, env));
}

/** The URL of a loopback port nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const closed = await startFileServer();
  await closed.close();
  return closed.url;
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (info) => info.size,
    () => undefined,
  );
}

async function waitForSize(path: string, bytes: number): Promise<void> {
  while (((await sizeOf(path)) ?? 0) < bytes) await new Promise((resolve) => setTimeout(resolve, 50));
}

const noStack = /\n\s+at /;

describe('the model commands', () => {
  let model: Buffer;
  let sha256: string;
  let server: FileServer;
  let folder: string;
  let modelsDir: string;
  let config: string;
  let closedUrl: string;

  beforeAll(async () => {
    model = await readFile(await tinyModelPath());
    sha256 = createHash('sha256').update(model).digest('hex');
    closedUrl = await closedPortUrl();
  });
  beforeEach(async () => {
    server = await startFileServer();
    server.serve('/models/tiny.gguf', { body: model });
    folder = await mkdtemp(join(tmpdir(), 'studio-pull-'));
    modelsDir = join(folder, 'models');
    config = join(folder, 'studio.json');
    const models = [
      { name: 'tiny', aliases: ['tiny-q'], source: `${server.url}/models/tiny.gguf`, context: 2048 },
      { name: 'other', source: 'hf:someone/Other-GGUF:Q4_K_M' },
    ];
    await writeFile(config, JSON.stringify({ models }));
  });
  afterEach(async () => {
    await server.close();
    await rm(folder, { recursive: true, force: true });
  });

  describe('studio pull', () => {
    it('downloads a GGUF URL into --models-dir with progress and says where it is', async () => {
      const result = await run(['pull', `${server.url}/models/tiny.gguf`, '--models-dir', modelsDir, '--sha256', sha256]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const path = join(modelsDir, 'tiny.gguf');
      expect(result.stdout).toContain(`Downloading ${server.url}/models/tiny.gguf\n  to ${path}`);
      expect(result.stdout).toMatch(/ 25% .* of .*, ETA /);
      expect(result.stdout).toMatch(/ 100% [\d.]+ MB of [\d.]+ MB/);
      expect(result.stdout).toContain(`Downloaded ${server.url}/models/tiny.gguf to ${path}`);
      expect((await readFile(path)).equals(model)).toBe(true);
      expect(await readdir(modelsDir)).toEqual(['tiny.gguf']);
    });

    it('pulls a catalog model by its alias, and says so when it is already there', async () => {
      const first = await run(['pull', 'tiny-q', '--config', config, '--models-dir', modelsDir]);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`Downloaded tiny (${server.url}/models/tiny.gguf)`);
      const again = await run(['pull', 'tiny', '--config', config, '--models-dir', modelsDir]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('is already downloaded');
      expect(server.requests).toHaveLength(1);
    });

    it('resumes with a Range request when the server cuts the connection mid-body', async () => {
      server.cutAfter('/models/tiny.gguf', 10_000_000);
      const result = await run(['pull', `${server.url}/models/tiny.gguf`, '--models-dir', modelsDir]);
      expect(result.code).toBe(0);
      const [first, second, ...more] = server.requests.map((request) => request.headers.range);
      expect(first).toBeUndefined();
      // The client may lose the last bytes before the cut, so it resumes at or just before it.
      expect(Number(/^bytes=(\d+)-$/.exec(second ?? '')?.[1])).toBeGreaterThan(9_000_000);
      expect(Number(/^bytes=(\d+)-$/.exec(second ?? '')?.[1])).toBeLessThanOrEqual(10_000_000);
      expect(more).toEqual([]);
      expect((await readFile(join(modelsDir, 'tiny.gguf'))).equals(model)).toBe(true);
    });

    it('keeps what arrived on Ctrl-C, and the next pull continues from there', async () => {
      server.stallAfter('/models/tiny.gguf', 5_000_000);
      const child = studio(['pull', `${server.url}/models/tiny.gguf`, '--models-dir', modelsDir, '--sha256', sha256]);
      const stopped = finished(child);
      await waitForSize(join(modelsDir, 'tiny.gguf.part'), 5_000_000);
      child.kill('SIGINT');
      const first = await stopped;
      expect(first.code).toBe(1);
      expect(first.stderr).toContain('Stopped the download');
      expect(first.stderr).toContain('again to continue');
      expect(first.stderr).not.toMatch(noStack);
      expect(await sizeOf(join(modelsDir, 'tiny.gguf'))).toBeUndefined();

      const second = await run(['pull', `${server.url}/models/tiny.gguf`, '--models-dir', modelsDir, '--sha256', sha256]);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('resuming after 5 MB');
      expect(server.requests.at(-1)?.headers.range).toBe('bytes=5000000-');
      expect((await readFile(join(modelsDir, 'tiny.gguf'))).equals(model)).toBe(true);
    });

    it('deletes the download and explains when the sha256 does not match', async () => {
      const wrong = 'ab'.repeat(32);
      const result = await run(['pull', `${server.url}/models/tiny.gguf`, '--models-dir', modelsDir, '--sha256', wrong]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`has sha256 ${sha256}, but ${wrong} was expected`);
      expect(result.stderr).toContain('Check the expected checksum');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(await readdir(modelsDir)).toEqual([]);
    });

    it('says what failed on a 404', async () => {
      const result = await run(['pull', `${server.url}/models/missing.gguf`, '--models-dir', modelsDir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Could not download the model');
      expect(result.stderr).toContain('404');
      expect(result.stderr).toContain('check the address');
      expect(result.stderr).not.toMatch(noStack);
    });

    it('pulls a quantization from the ModelScope named by --modelscope-endpoint, resuming a cut download', async () => {
      server.modelScopeRepo('someone/Tiny-GGUF', [{ path: 'Tiny-Q8_0.gguf', body: model }]);
      server.cutAfter('/storage/someone/Tiny-GGUF/Tiny-Q8_0.gguf', 10_000_000);
      const result = await run(['pull', 'modelscope:someone/Tiny-GGUF:Q8_0', '--models-dir', modelsDir, '--modelscope-endpoint', server.url]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const path = join(modelsDir, 'ms_someone_Tiny.Q8_0.gguf');
      expect(result.stdout).toContain(`Downloading ${server.url}/api/v1/models/someone/Tiny-GGUF/repo?Revision=master&FilePath=Tiny-Q8_0.gguf\n  to ${path}`);
      expect(result.stdout).toContain(`Downloaded modelscope:someone/Tiny-GGUF:Q8_0 to ${path}`);
      expect((await readFile(path)).equals(model)).toBe(true);
      const ranges = server.requests.filter((request) => request.path.startsWith('/storage/')).map((request) => request.headers.range);
      expect(ranges).toHaveLength(2);
      expect(Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1])).toBeGreaterThan(9_000_000);
    });

    it('deletes a ModelScope download whose sha256 is not the one ModelScope publishes, and says so in one line', async () => {
      const published = 'cd'.repeat(32);
      server.modelScopeRepo('someone/Tiny-GGUF', [{ path: 'Tiny-Q8_0.gguf', body: model, sha256: published }]);
      const result = await run(['pull', 'modelscope:someone/Tiny-GGUF:Q8_0', '--models-dir', modelsDir], { STUDIO_MODELSCOPE_ENDPOINT: server.url });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`has sha256 ${sha256}, but ${published} was expected; it was deleted`);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(await readdir(modelsDir)).toEqual([]);
    });

    it('pulls from the Hub mirror that HF_ENDPOINT names, and --hub-endpoint wins over it', async () => {
      server.huggingFaceRepo('someone/Tiny-GGUF', [{ path: 'Tiny-Q8_0.gguf', body: model }], { Q8_0: 'Tiny-Q8_0.gguf' });
      const path = join(modelsDir, 'hf_someone_Tiny.Q8_0.gguf');
      const fromEnv = await run(['pull', 'hf:someone/Tiny-GGUF:Q8_0', '--models-dir', modelsDir], { HF_ENDPOINT: server.url });
      expect(fromEnv.code).toBe(0);
      expect(fromEnv.stdout).toContain(`Downloaded hf:someone/Tiny-GGUF:Q8_0 to ${path}`);
      expect((await readFile(path)).equals(model)).toBe(true);
      await rm(path);

      const unreachable = await run(['pull', 'hf:someone/Tiny-GGUF:Q8_0', '--models-dir', modelsDir], { HF_ENDPOINT: closedUrl });
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain(`${new URL(closedUrl).host} cannot be reached to look up hf:someone/Tiny-GGUF`);
      expect(unreachable.stderr).toContain('--hub-endpoint');
      expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);

      const fromFlag = await run(['pull', 'hf:someone/Tiny-GGUF:Q8_0', '--models-dir', modelsDir, '--hub-endpoint', server.url], { HF_ENDPOINT: closedUrl });
      expect(fromFlag.code).toBe(0);
      expect(server.requests.filter((request) => request.path === '/v2/someone/Tiny-GGUF/manifests/Q8_0')).toHaveLength(2);
    });

    it('rejects a malformed --sha256 and an unknown model', async () => {
      const badSum = await run(['pull', `${server.url}/models/tiny.gguf`, '--models-dir', modelsDir, '--sha256', 'abc']);
      expect(badSum.code).toBe(1);
      expect(badSum.stderr).toContain('64 hexadecimal digits');
      const unknown = await run(['pull', 'nope', '--config', config, '--models-dir', modelsDir]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Known models: tiny (tiny-q), other');
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('studio models', () => {
    it('lists the catalog with sizes on disk and says when no server answers', async () => {
      await run(['pull', 'tiny', '--config', config, '--models-dir', modelsDir]);
      await writeFile(join(modelsDir, 'hf_someone_Other.Q4_K_M.gguf.part'), Buffer.alloc(2_000_000));
      await writeFile(join(modelsDir, 'extra.gguf'), Buffer.alloc(1_000));
      const closed = server.url;
      await server.close();
      const result = await run(['models', '--config', config, '--models-dir', modelsDir, '--url', closed]);
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines.find((line) => line.includes('│ name'))).toMatch(/name\s+│ aliases\s+│ source\s+│ size on disk\s+│ context\s+│$/);
      const tiny = lines.find((line) => line.includes('│ tiny '));
      expect(tiny).toMatch(/│ tiny\s+│ tiny-q\s+│ http:\/\/\S+\s+│ [\d.]+ MB\s+│ 2048\s+│$/);
      expect(tiny).toContain(`│ ${prettyBytes(model.length)} `);
      expect(lines.find((line) => line.includes('│ other '))).toContain('2 MB (interrupted)');
      expect(lines.find((line) => line.includes('│ extra '))).toContain('1 kB');
      expect(result.stdout).toContain(`No server at ${closed}`);
    });

    it('shows what a running server serves and has loaded', async () => {
      server.serve('/compatible-mode/v1/models', {
        body: Buffer.from(JSON.stringify({ object: 'list', data: [{ id: 'tiny', aliases: ['tiny-q'], context_length: 2048, status: 'loaded', loaded: true }, { id: 'other', aliases: [], loaded: false }] })),
      });
      const result = await run(['models', '--config', config, '--models-dir', modelsDir, '--url', server.url, '--api-key', 'sk-test']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Served by ${server.url}:`);
      expect(result.stdout).toMatch(/│ tiny\s+│ tiny-q\s+│ loaded\s+│ 2048\s+│/);
      expect(result.stdout).toMatch(/│ other\s+│\s+│ not loaded \(loads on its first request\)\s+│ -\s+│/);
      expect(result.stdout).toMatch(/│ tiny .*not downloaded/);
      expect(result.stdout).not.toContain('No server');
      expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer sk-test');
    });
  });

  describe('studio rm', () => {
    it('deletes a downloaded model and its interrupted download', async () => {
      await run(['pull', 'tiny', '--config', config, '--models-dir', modelsDir]);
      await writeFile(join(modelsDir, 'tiny.gguf.part'), Buffer.alloc(10));
      const result = await run(['rm', 'tiny-q', '--config', config, '--models-dir', modelsDir]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`Deleted ${join(modelsDir, 'tiny.gguf')}\nDeleted ${join(modelsDir, 'tiny.gguf.part')}\n`);
      expect(await readdir(modelsDir)).toEqual([]);
      const again = await run(['rm', 'tiny', '--config', config, '--models-dir', modelsDir]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('is not downloaded');
    });

    it('never deletes a file outside the models folder, and lists the known names for an unknown model', async () => {
      const mine = join(folder, 'mine.gguf');
      await writeFile(mine, Buffer.alloc(10));
      const outside = await run(['rm', mine, '--config', config, '--models-dir', modelsDir]);
      expect(outside.code).toBe(1);
      expect(outside.stderr).toContain('outside the models folder');
      expect(await sizeOf(mine)).toBe(10);
      const unknown = await run(['rm', 'nope', '--config', config, '--models-dir', modelsDir]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Known models: tiny (tiny-q), other');
      expect(unknown.stderr).not.toMatch(noStack);
    });
  });
});
