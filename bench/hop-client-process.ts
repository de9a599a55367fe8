// Starts bench/hop-client.ts as a child process and hands it jobs one at a time.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HopJob, HopJobResult } from './hop-client.js';

export interface HopClient {
  /** Latencies, or an error naming the first request that failed. */
  run(job: HopJob): Promise<{ readonly latenciesMs: number[]; readonly requestsPerSecond: number }>;
  stop(): void;
}

export function startHopClient(): HopClient {
  const child = fork(fileURLToPath(new URL('./hop-client.ts', import.meta.url)), { execArgv: ['--import', import.meta.resolve('tsx')], stdio: 'inherit' });
  return {
    run: (job) =>
      new Promise((resolve, reject) => {
        const exited = (code: number | null): void => reject(new Error(`the bench client exited (${code}) during a job`));
        child.once('exit', exited);
        child.once('message', (message: HopJobResult) => {
          child.off('exit', exited);
          if (message.ok) resolve(message);
          else reject(new Error(`${job.origin}: ${message.error}`));
        });
        child.send(job);
      }),
    stop: () => child.kill(),
  };
}
