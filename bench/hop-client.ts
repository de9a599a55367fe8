// The upstream-hop bench's client, run as a child process of its own (so that its CPU is not the measured server's): times chat completions sent over a keep-alive pool, one job per IPC message.
import { Pool } from 'undici';

export interface HopJob {
  /** e.g. `http://127.0.0.1:8080`; the request goes to its `/v1/chat/completions`. */
  readonly origin: string;
  readonly body: string;
  readonly stream: boolean;
  readonly concurrency: number;
  readonly requests: number;
}

export type HopJobResult =
  /** Blocking: from sending to the body's last byte. Streamed: from sending to the first frame with content. */
  | { readonly ok: true; readonly latenciesMs: number[]; readonly requestsPerSecond: number }
  | { readonly ok: false; readonly error: string };

/** A chunk's delta with text in it: the OpenAI wire's first frame is often the role with empty content. */
const CONTENT = /"content":"[^"]/;

async function timeOne(pool: Pool, job: HopJob): Promise<number> {
  const began = performance.now();
  const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: job.body });
  if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${(await response.body.text()).slice(0, 300)}`);
  if (!job.stream) {
    const text = await response.body.text();
    if (!CONTENT.test(text)) throw new Error(`a reply without content: ${text.slice(0, 300)}`);
    return performance.now() - began;
  }
  let firstContent: number | undefined;
  let seen = '';
  for await (const chunk of response.body) {
    if (firstContent !== undefined) continue;
    // A frame may be cut between two chunks; the last few bytes before are enough to find `"content":"x`.
    seen = seen.slice(-32) + (chunk as Buffer).toString();
    if (CONTENT.test(seen)) firstContent = performance.now();
  }
  if (firstContent === undefined) throw new Error('a stream without content');
  return firstContent - began;
}

async function run(job: HopJob): Promise<HopJobResult> {
  const pool = new Pool(job.origin, { connections: job.concurrency, pipelining: 1 });
  const latenciesMs: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < job.requests) {
      next++;
      latenciesMs.push(await timeOne(pool, job));
    }
  };
  try {
    const began = performance.now();
    await Promise.all(Array.from({ length: job.concurrency }, worker));
    return { ok: true, latenciesMs, requestsPerSecond: job.requests / ((performance.now() - began) / 1000) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await pool.destroy();
  }
}

process.on('message', (job: HopJob) => {
  void run(job).then((result) => process.send?.(result));
});
