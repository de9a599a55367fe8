// Requests per second at saturation from wrk (Debian's `wrk`), POSTing one chat completion body over keep-alive connections.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Saturation {
  readonly requestsPerSecond: number;
  readonly requests: number;
  /** wrk's p50 and p99 of whole responses, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** wrk prints its percentiles as e.g. `1.23ms`, `450.00us` or `1.02s`. */
function milliseconds(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (match === null) throw new Error(`wrk printed a time it cannot be read from: ${text}`);
  return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2] as 'us' | 'ms' | 's'];
}

function run(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`wrk exited with ${code}:\n${output}`))));
  });
}

export async function wrkInstalled(): Promise<boolean> {
  return run(['--version']).then(
    () => true,
    // wrk --version prints its version and exits 1; only a missing binary rejects without output.
    (error: unknown) => (error as NodeJS.ErrnoException).code !== 'ENOENT',
  );
}

/** One wrk thread, `connections` connections for `seconds`; every response must be a 200 and no socket may fail. */
export async function wrkSaturation(url: string, body: string, options: { readonly connections: number; readonly seconds: number; readonly scriptDirectory: string }): Promise<Saturation> {
  const script = join(options.scriptDirectory, 'post.lua');
  await writeFile(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
  const output = await run(['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '30s', '--latency', '-s', script, url]);
  const failures = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.+)/.exec(output);
  if (failures !== null) throw new Error(`wrk saw failed requests at ${url}:\n${output}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)?.[1];
  const requests = /(\d+) requests in /.exec(output)?.[1];
  const p50 = /^\s+50%\s+(\S+)\s*$/m.exec(output)?.[1];
  const p99 = /^\s+99%\s+(\S+)\s*$/m.exec(output)?.[1];
  if (rps === undefined || requests === undefined || p50 === undefined || p99 === undefined) throw new Error(`wrk's output has no requests/s or percentiles:\n${output}`);
  return { requestsPerSecond: Number(rps), requests: Number(requests), p50Ms: milliseconds(p50), p99Ms: milliseconds(p99) };
}
