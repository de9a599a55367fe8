// Runs the `studio` command line as a child process, the way a user at a terminal does.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allProcessStats } from '../../src/lib/process-stat.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a command under test: no STUDIO_*, DASHSCOPE_* or store URL from the machine running the
 * tests leaks into it, and its store is a folder of its own unless `env` names one, so that no test touches the
 * user's data or a database the suites share. The folder goes once the command has exited.
 */
export function isolatedEnvironment(env: NodeJS.ProcessEnv = {}): { readonly env: NodeJS.ProcessEnv; removeDataDir(): void } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(STUDIO_|DASHSCOPE_|DATABASE_URL$|REDIS_URL$)/.test(name)));
  const dataDir = mkdtempSync(join(tmpdir(), 'studio-cli-data-'));
  return { env: { ...clean, STUDIO_DATA_DIR: dataDir, ...env }, removeDataDir: () => rmSync(dataDir, { recursive: true, force: true }) };
}

export function studio(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  const isolated = isolatedEnvironment(env);
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env: isolated.env });
  child.on('close', isolated.removeDataDir);
  return child;
}

export function finished(child: ChildProcessWithoutNullStreams): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Resolves with what the command printed once its output matches `pattern`. */
export function outputUntil(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  let stdout = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (pattern.test(stdout)) resolve(stdout);
    });
    child.on('close', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${stdout}`)));
  });
}

/** The pid of the process that serves for a spawned `studio serve`: its huge-pages child where it started one, else its own. */
export function servingProcessId(spawnedPid: number): number {
  const children = allProcessStats()
    .filter(({ ppid, state }) => ppid === spawnedPid && state !== 'Z')
    // node-llama-cpp checks its binding in a child of the server's, never of the parent's.
    .filter(({ pid }) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serve'))
    .map(({ pid }) => pid);
  return children[0] ?? spawnedPid;
}
