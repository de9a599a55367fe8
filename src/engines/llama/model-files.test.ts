import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFileServer, type FileServer } from '../../../test/support/file-server.js';
import { downloadModelFile, removeModelFile, resolveModelSource } from './model-files.js';
import { ModelSourceError, parseModelSource, type RemoteModelSource } from './model-source.js';

const gguf = Buffer.concat([Buffer.from('GGUF'), randomBytes(256 * 1024)]);
const sha256 = createHash('sha256').update(gguf).digest('hex');

function remote(text: string): RemoteModelSource {
  const source = parseModelSource(text);
  if (source.kind === 'file') throw new Error(`${text} is a local file`);
  return source;
}

/** The two Hub answers a quantization tag needs: the manifest naming the file, and the file with its LFS headers. */
function serveHubFile(server: FileServer, linkedSha256: string): void {
  server.serve('/v2/someone/Tiny-GGUF/manifests/Q8_0', { body: Buffer.from(JSON.stringify({ ggufFile: { rfilename: 'Tiny-Q8_0.gguf' } })) });
  server.serve('/someone/Tiny-GGUF/resolve/main/Tiny-Q8_0.gguf', {
    body: gguf,
    headers: { 'x-linked-etag': `"${linkedSha256}"`, 'x-linked-size': String(gguf.length) },
  });
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
