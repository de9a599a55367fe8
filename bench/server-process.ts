// Runs an HTTP server as a child process: waits until it is ready, keeps its output's tail, reads its peak RSS, stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { processTree } from './process-tree.js';

export interface ServerProcess {
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly pid: number;
  /** `performance.now()` when it was spawned. */
  readonly spawnedAt: number;
  /** From spawning to the first 200 from its ready path. */
  readonly startupMs: number;
  /** The last few kilobytes of what it wrote to stdout and stderr. */
  outputTail(): string;
  /** The peak resident set (VmHWM) of the process and of every process under it (Studio's server runs in a child of `studio serve`), summed, in bytes. */
  peakRssBytes(): Promise<number>;
  stop(): Promise<void>;
}

async function peakRssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kilobytes) * 1024;
}

export interface ServerCommand {
  readonly name: string;
  readonly executable: string;
  readonly args: readonly string[];
  /** The port it listens on, or a pattern whose first group finds the port in what it prints once it has picked one. */
  readonly port: number | RegExp;
  /** The child's whole environment; this process's by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** The path that answers 200 once it is ready; `/health` by default. */
  readonly readyPath?: string;
}

const OUTPUT_TAIL_BYTES = 4000;
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 10_000;
/** Fine enough to time a start-up of well under a second. */
const POLL_MS = 25;

/** Children still running; killed if this process exits or is interrupted first. */
const running = new Set<ChildProcess>();
process.on('exit', () => running.forEach((child) => child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port was assigned');
  return address.port;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export async function startServerProcess(command: ServerCommand): Promise<ServerProcess> {
  const readyPath = command.readyPath ?? '/health';
  const startedAt = performance.now();
  const child = spawn(command.executable, command.args, { stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  const keepTail = (data: Buffer): void => {
    tail = (tail + data.toString()).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  const failure = (why: string): Error => new Error(`${command.name} ${why}; the end of its output:\n${tail}`);

  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited(child).then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
    if (!stopped) {
      child.kill('SIGKILL');
      await exited(child);
    }
  };

  await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  const { pid } = child;
  if (pid === undefined) throw failure('has no process id');
  const port = (): string | undefined => (typeof command.port === 'number' ? String(command.port) : command.port.exec(tail)?.[1]);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw failure(`exited (${child.exitCode ?? child.signalCode}) before it was ready`);
      if (performance.now() - startedAt > READY_TIMEOUT_MS) throw failure(`did not answer ${readyPath} within ${READY_TIMEOUT_MS / 1000} s`);
      const url = port() === undefined ? undefined : `http://127.0.0.1:${port()}`;
      if (url !== undefined && (await isReady(`${url}${readyPath}`))) break;
      await sleep(POLL_MS);
    }
    return {
      url: `http://127.0.0.1:${port()}`,
      pid,
      spawnedAt: startedAt,
      startupMs: performance.now() - startedAt,
      outputTail: () => tail,
      peakRssBytes: async () => {
        // A zombie has no memory left to read.
        const running = processTree(pid).filter((process) => process.state !== 'Z');
        const peaks = await Promise.all(running.map((process) => peakRssOf(process.pid)));
        return peaks.reduce((sum, bytes) => sum + bytes, 0);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
