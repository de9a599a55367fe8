import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFileServer, type FileServer } from '../../../test/support/file-server.js';
import { downloadModelFile, removeModelFile, resolveModelSource, type DownloadStart, type ModelFileOptions } from './model-files.js';
import { ModelSourceError, parseModelSource, type RemoteModelSource } from './model-source.js';

const gguf = Buffer.concat([Buffer.from('GGUF'), randomBytes(256 * 1024)]);
const sha256 = createHash('sha256').update(gguf).digest('hex');

function remote(text: string): RemoteModelSource {
  const source = parseModelSource(text);
  if (source.kind === 'file') throw new Error(`${text} is a local file`);
  return source;
}

/** A Hub repository with one quantization, whose sha256 the Hub publishes as `linkedSha256`. */
function serveHubFile(server: FileServer, linkedSha256: string): void {
  server.huggingFaceRepo('someone/Tiny-GGUF', [{ path: 'Tiny-Q8_0.gguf', body: gguf, sha256: linkedSha256 }], { Q8_0: 'Tiny-Q8_0.gguf' });
}

describe('the models folder', () => {
  let server: FileServer;
  let directory: string;
  beforeEach(async () => {
    server = await startFileServer();
    directory = await mkdtemp(join(tmpdir(), 'model-files-'));
  });
  afterEach(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('downloads a quantization from the Hub, checked against the sha256 the Hub publishes', async () => {
    serveHubFile(server, sha256);
    const starts: unknown[] = [];
    const file = await downloadModelFile(remote('hf:someone/Tiny-GGUF:Q8_0'), {
      directory,
      huggingFaceEndpoint: server.url,
      onStart: (start) => starts.push(start),
    });
    expect(file).toEqual({ path: join(directory, 'hf_someone_Tiny.Q8_0.gguf'), bytes: gguf.length });
    expect((await readFile(file.path)).equals(gguf)).toBe(true);
    expect(starts).toEqual([{ url: `${server.url}/someone/Tiny-GGUF/resolve/main/Tiny-Q8_0.gguf`, path: file.path, size: gguf.length, sha256, resumeFrom: 0 }]);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v2/someone/Tiny-GGUF/manifests/Q8_0',
      'HEAD /someone/Tiny-GGUF/resolve/main/Tiny-Q8_0.gguf',
      'GET /someone/Tiny-GGUF/resolve/main/Tiny-Q8_0.gguf',
    ]);
    expect(server.requests[0]?.headers['user-agent']).toBe('llama-cpp');
  });

  it('deletes a download whose sha256 is not the one the Hub publishes', async () => {
    serveHubFile(server, 'f'.repeat(64));
    const error = await downloadModelFile(remote('hf:someone/Tiny-GGUF:Q8_0'), { directory, huggingFaceEndpoint: server.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelSourceError);
    expect((error as Error).message).toContain('Could not download the model "hf:someone/Tiny-GGUF:Q8_0"');
    expect((error as Error).message).toContain(`sha256 ${sha256}, but ${'f'.repeat(64)} was expected`);
    expect(await readdir(directory)).toEqual([]);
  });

  it('says which quantization the Hub does not have', async () => {
    const error = await downloadModelFile(remote('hf:someone/Tiny-GGUF:Q2_K'), { directory, huggingFaceEndpoint: server.url }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('hf:someone/Tiny-GGUF has no GGUF file for the quantization "Q2_K"');
    expect((error as Error).message).toContain('Files tab');
  });

  describe('from ModelScope', () => {
    const q4 = Buffer.concat([Buffer.from('GGUF'), randomBytes(64 * 1024)]);
    function serveModelScope(published = sha256): void {
      server.modelScopeRepo('someone/Tiny-GGUF', [
        { path: 'README.md', body: Buffer.from('# Tiny') },
        { path: 'Tiny-Q8_0.gguf', body: gguf, sha256: published },
        { path: 'Tiny-UD-Q8_0.gguf', body: q4 },
        { path: 'Q4_K_M/Tiny-Q4_K_M.gguf', body: q4 },
        { path: 'Q4_K/Tiny-Q4_K-00001-of-00002.gguf', body: q4 },
        { path: 'Q4_K/Tiny-Q4_K-00002-of-00002.gguf', body: q4 },
        { path: 'mmproj-Tiny-F16.gguf', body: q4 },
      ]);
    }
    const options = (extra: Partial<ModelFileOptions> = {}): ModelFileOptions => ({ directory, modelScopeEndpoint: server.url, ...extra });

    it('finds the file of a quantization in the file list and downloads it, checked against the sha256 ModelScope publishes', async () => {
      serveModelScope();
      const starts: DownloadStart[] = [];
      const file = await downloadModelFile(remote('modelscope:someone/Tiny-GGUF:q8_0'), options({ onStart: (start) => starts.push(start) }));
      expect(file).toEqual({ path: join(directory, 'ms_someone_Tiny.Q8_0.gguf'), bytes: gguf.length });
      expect((await readFile(file.path)).equals(gguf)).toBe(true);
      const download = `${server.url}/api/v1/models/someone/Tiny-GGUF/repo?Revision=master&FilePath=Tiny-Q8_0.gguf`;
      expect(starts).toEqual([{ url: download, path: file.path, size: gguf.length, sha256, resumeFrom: 0 }]);
      expect(server.requests.map((request) => `${request.method} ${request.path}${request.query}`)).toEqual([
        'GET /api/v1/models/someone/Tiny-GGUF/repo/files?Revision=master&Recursive=true',
        'GET /api/v1/models/someone/Tiny-GGUF/repo?Revision=master&FilePath=Tiny-Q8_0.gguf',
        'GET /storage/someone/Tiny-GGUF/Tiny-Q8_0.gguf',
      ]);
    });

    it('finds a quantization in a folder, and a file named by its path', async () => {
      serveModelScope();
      const inFolder = await downloadModelFile(remote('modelscope:someone/Tiny-GGUF:Q4_K_M'), options());
      expect((await readFile(inFolder.path)).equals(q4)).toBe(true);
      expect(server.requests.at(-1)?.path).toBe('/storage/someone/Tiny-GGUF/Q4_K_M/Tiny-Q4_K_M.gguf');
      const byPath = await downloadModelFile(remote('modelscope:someone/Tiny-GGUF/Q4_K_M/Tiny-Q4_K_M.gguf'), options());
      expect(byPath.path).toBe(join(directory, 'ms_someone_Q4_K_M_Tiny-Q4_K_M.gguf'));
    });

    it('resumes a download cut mid-body with a Range request through the download URL', async () => {
      serveModelScope();
      server.cutAfter('/storage/someone/Tiny-GGUF/Tiny-Q8_0.gguf', 100_000);
      const file = await downloadModelFile(remote('modelscope:someone/Tiny-GGUF:Q8_0'), options({ stallTimeoutMs: 5_000 }));
      expect((await readFile(file.path)).equals(gguf)).toBe(true);
      const ranges = server.requests.filter((request) => request.path.startsWith('/storage/')).map((request) => request.headers.range);
      expect(ranges).toHaveLength(2);
      expect(ranges[0]).toBeUndefined();
      expect(Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1])).toBeGreaterThan(0);
      expect(Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1])).toBeLessThanOrEqual(100_000);
    });

    it('deletes a download whose sha256 is not the one ModelScope publishes', async () => {
      serveModelScope('e'.repeat(64));
      const error = await downloadModelFile(remote('modelscope:someone/Tiny-GGUF:Q8_0'), options()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelSourceError);
      expect((error as Error).message).toContain(`sha256 ${sha256}, but ${'e'.repeat(64)} was expected`);
      expect(await readdir(directory)).toEqual([]);
    });

    it('says which quantizations there are when the one named is missing, or split into parts', async () => {
      serveModelScope();
      const missing = await downloadModelFile(remote('modelscope:someone/Tiny-GGUF:Q2_K'), options()).catch((e: unknown) => e);
      expect((missing as Error).message).toContain('modelscope:someone/Tiny-GGUF has no GGUF file for the quantization "Q2_K"');
      expect((missing as Error).message).toContain('Tiny-Q8_0.gguf, Tiny-UD-Q8_0.gguf, Q4_K_M/Tiny-Q4_K_M.gguf');
      expect((missing as Error).message).toContain('modelscope:owner/repo/file.gguf');
      const split = await downloadModelFile(remote('modelscope:someone/Tiny-GGUF:Q4_K'), options()).catch((e: unknown) => e);
      expect((split as Error).message).toContain('split into several files');
      const noRepo = await downloadModelFile(remote('modelscope:someone/Nope:Q8_0'), options()).catch((e: unknown) => e);
      expect((noRepo as Error).message).toContain('modelscope:someone/Nope has no revision master, or is not a public repository');
      expect(await readdir(directory)).toEqual([]);
    });

    it('takes the default quantization when none is named', async () => {
      serveModelScope();
      const file = await downloadModelFile(remote('modelscope:someone/Tiny-GGUF'), options());
      expect(file.path).toBe(join(directory, 'ms_someone_Tiny.gguf'));
      expect(server.requests.at(-1)?.path).toBe('/storage/someone/Tiny-GGUF/Q4_K_M/Tiny-Q4_K_M.gguf');
    });

    it('says how to use a local file or a mirror when ModelScope cannot be reached', async () => {
      await server.close();
      const error = await resolveModelSource('modelscope:someone/Tiny-GGUF:Q8_0', options()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelSourceError);
      expect((error as Error).message).toContain(`${new URL(server.url).host} cannot be reached to look up modelscope:someone/Tiny-GGUF`);
      expect((error as Error).message).toContain(join(directory, 'ms_someone_Tiny.Q8_0.gguf'));
      expect((error as Error).message).toContain('--modelscope-endpoint');
    });
  });

  it('finds a downloaded model again without the network', async () => {
    server.serve('/tiny.gguf', { body: gguf });
    const source = `${server.url}/tiny.gguf`;
    const path = await resolveModelSource(source, { directory });
    await server.close();
    expect(await resolveModelSource(source, { directory })).toBe(path);
    await writeFile(join(directory, 'hf_someone_Tiny.Q8_0.gguf'), gguf);
    expect(await resolveModelSource('hf:someone/Tiny-GGUF:Q8_0', { directory, huggingFaceEndpoint: server.url })).toBe(join(directory, 'hf_someone_Tiny.Q8_0.gguf'));
    expect(server.requests).toHaveLength(1);
  });

  it('explains how to use a local file when the host cannot be reached', async () => {
    await server.close();
    const error = await resolveModelSource(`${server.url}/tiny.gguf`, { directory }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelSourceError);
    expect((error as Error).message).toContain('cannot be reached');
    expect((error as Error).message).toContain('--model /path/to/model.gguf');
    expect((error as Error).message).toContain(join(directory, 'tiny.gguf'));
  });

  it('deletes a downloaded file and its interrupted download, but never a file outside the folder', async () => {
    const source = remote(`${server.url}/tiny.gguf`);
    await writeFile(join(directory, 'tiny.gguf'), gguf);
    await writeFile(join(directory, 'tiny.gguf.part'), gguf.subarray(0, 10));
    expect(await removeModelFile(source, directory)).toEqual([join(directory, 'tiny.gguf'), join(directory, 'tiny.gguf.part')]);
    expect(await readdir(directory)).toEqual([]);

    const outside = await mkdtemp(join(tmpdir(), 'model-files-outside-'));
    try {
      await writeFile(join(outside, 'mine.gguf'), gguf);
      await expect(removeModelFile(parseModelSource(join(outside, 'mine.gguf')), directory)).rejects.toThrow(/outside the models folder/);
      expect(await readdir(outside)).toEqual(['mine.gguf']);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
