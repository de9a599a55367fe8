import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFileServer, type FileServer } from '../../test/support/file-server.js';
import { downloadFile, DownloadError, partPath, type DownloadProgress } from './download-file.js';

const body = randomBytes(3 * 1024 * 1024 + 17);
const sha256 = createHash('sha256').update(body).digest('hex');

/** `bytes=123-` → 123. */
function rangeStart(header: string | undefined): number | undefined {
  return header === undefined ? undefined : Number(/^bytes=(\d+)-$/.exec(header)?.[1]);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('downloadFile', () => {
  let server: FileServer;
  let folder: string;
  let destination: string;
  beforeEach(async () => {
    server = await startFileServer();
    server.serve('/file.bin', { body });
    folder = await mkdtemp(join(tmpdir(), 'download-file-'));
    destination = join(folder, 'nested', 'file.bin');
  });
  afterEach(async () => {
    await server.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('writes the file and reports progress up to the total', async () => {
    const progress: DownloadProgress[] = [];
    await downloadFile({ url: `${server.url}/file.bin`, destination, sha256, onProgress: (p) => progress.push(p) });
    expect((await readFile(destination)).equals(body)).toBe(true);
    expect(await exists(partPath(destination))).toBe(false);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toEqual({ receivedBytes: body.length, totalBytes: body.length });
    const received = progress.map((p) => p.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
  });

  it('resumes with a Range request after the server cuts the connection', async () => {
    server.cutAfter('/file.bin', 1_000_000, 500_000);
    await downloadFile({ url: `${server.url}/file.bin`, destination, sha256, retryDelayMs: 1 });
    expect((await readFile(destination)).equals(body)).toBe(true);
    const starts = server.requests.map((request) => rangeStart(request.headers.range));
    expect(starts).toHaveLength(3);
    expect(starts[0]).toBeUndefined();
    expect(starts[1]).toBeGreaterThan(0);
    expect(starts[1]).toBeLessThanOrEqual(1_000_000);
    expect(starts[2]).toBeGreaterThan(starts[1] ?? Infinity);
    expect(starts[2]).toBeLessThanOrEqual((starts[1] ?? 0) + 500_000);
  });

  it('continues a .part left by an earlier run and checks the sha256 of the whole file', async () => {
    await writeFile(partPath(join(folder, 'file.bin')), body.subarray(0, 777_777));
    await downloadFile({ url: `${server.url}/file.bin`, destination: join(folder, 'file.bin'), sha256 });
    expect((await readFile(join(folder, 'file.bin'))).equals(body)).toBe(true);
    expect(server.requests.map((request) => request.headers.range)).toEqual(['bytes=777777-']);
  });

  it('starts over when the server ignores the Range request', async () => {
    server.serve('/no-ranges.bin', { body, ignoreRange: true });
    // A prefix that is not the file's: overwritten from the start, the checksum still matches.
    await writeFile(partPath(join(folder, 'file.bin')), Buffer.alloc(1000));
    await downloadFile({ url: `${server.url}/no-ranges.bin`, destination: join(folder, 'file.bin'), sha256 });
    expect((await readFile(join(folder, 'file.bin'))).equals(body)).toBe(true);
    expect(server.requests[0]?.headers.range).toBe('bytes=1000-');
  });

  it('deletes the download and says what failed when the sha256 does not match', async () => {
    const wrong = '0'.repeat(64);
    const error = await downloadFile({ url: `${server.url}/file.bin`, destination, sha256: wrong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).kind).toBe('checksum-mismatch');
    expect((error as DownloadError).message).toContain(sha256);
    expect((error as DownloadError).message).toContain(wrong);
    expect((error as DownloadError).message).toMatch(/try again/i);
    expect(await exists(destination)).toBe(false);
    expect(await exists(partPath(destination))).toBe(false);
  });

  it('deletes the download when its size is not the expected one', async () => {
    const error = await downloadFile({ url: `${server.url}/file.bin`, destination, size: body.length + 1 }).catch((e: unknown) => e);
    expect((error as DownloadError).kind).toBe('size-mismatch');
    expect((error as DownloadError).message).toContain(`${body.length} bytes, but ${body.length + 1} were expected`);
    expect(await exists(destination)).toBe(false);
    expect(await exists(partPath(destination))).toBe(false);
  });

  it('fails at once with the status on a 404', async () => {
    const error = await downloadFile({ url: `${server.url}/missing.bin`, destination }).catch((e: unknown) => e);
    expect((error as DownloadError).kind).toBe('http-status');
    expect((error as DownloadError).status).toBe(404);
    expect((error as DownloadError).message).toContain('404');
    expect((error as DownloadError).message).toContain('check the address');
    expect(server.requests).toHaveLength(1);
    expect(await exists(destination)).toBe(false);
  });

  it('does not retry a host that never answers', async () => {
    await server.close();
    const error = await downloadFile({ url: `${server.url}/file.bin`, destination, retryDelayMs: 10_000 }).catch((e: unknown) => e);
    expect((error as DownloadError).kind).toBe('unreachable');
    expect((error as DownloadError).message).toContain('cannot be reached');
  });

  it('abandons a stalled response and resumes', async () => {
    server.stallAfter('/file.bin', 200_000);
    await downloadFile({ url: `${server.url}/file.bin`, destination, sha256, stallTimeoutMs: 300, retryDelayMs: 1 });
    expect((await readFile(destination)).equals(body)).toBe(true);
    expect(server.requests.map((request) => request.headers.range)).toEqual([undefined, 'bytes=200000-']);
  });

  it('gives up after its retries, keeping the bytes received for a later run', async () => {
    server.cutAfter('/file.bin', 100_000, 0, 0, 0);
    const error = await downloadFile({ url: `${server.url}/file.bin`, destination, retries: 2, retryDelayMs: 1 }).catch((e: unknown) => e);
    expect((error as DownloadError).kind).toBe('interrupted');
    expect((error as DownloadError).message).toContain('run the download again to resume');
    const kept = (await stat(partPath(destination))).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(100_000);
    expect((error as DownloadError).message).toContain(`The ${kept} bytes received are kept`);
    expect(await exists(destination)).toBe(false);
  });

  it('stops on abort and leaves the .part for a resume', async () => {
    const controller = new AbortController();
    const error = await downloadFile({
      url: `${server.url}/file.bin`,
      destination,
      signal: controller.signal,
      onProgress: ({ receivedBytes }) => {
        if (receivedBytes > 1_000_000) controller.abort(new Error('stopped by the test'));
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('stopped by the test');
    const kept = (await stat(partPath(destination))).size;
    expect(kept).toBeGreaterThan(1_000_000);
    expect(await exists(destination)).toBe(false);

    await downloadFile({ url: `${server.url}/file.bin`, destination, sha256 });
    expect(server.requests.at(-1)?.headers.range).toBe(`bytes=${kept}-`);
    expect((await readFile(destination)).equals(body)).toBe(true);
  });
});
