// `studio serve` on Linux with glibc runs in a child process whose malloc asks the kernel for transparent huge pages
// (glibc's tunable glibc.malloc.hugetlb=1; config/huge-pages-environment decides). llama.cpp allocates a context's KV
// cache with malloc and clears it at once, one page fault per 4 KiB page: on a virtual machine that took 7 of the 10 s
// the bench model took to start (1.8 GB of cache), and the same memory in 2 MiB pages about one. glibc reads its
// tunables only when a process starts, so the setting needs a process of its own.
import { spawn } from 'node:child_process';

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs this same command in a child with `env`, passing on the signals that stop a server, and ends as the child does:
 * with its exit code, or killed by its signal. stdin, stdout and stderr are the child's own.
 */
export function relaunchWithHugePages(env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env });
  // A terminal's Ctrl-C reaches both processes, and then this one's copy too: serve takes a repeat within a second as the
  // same Ctrl-C (stop-on-signals).
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child.once('error', (error) => {
    process.stderr.write(`studio: could not start the server process: ${error.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const forwarded of FORWARDED_SIGNALS) process.off(forwarded, forward);
    process.kill(process.pid, signal);
  });
}

/** In the relaunched child: end at once when the parent has gone, however it went, so that a `kill -9` of the pid that was started ends the server as it did before there was a child. */
export function endWithParent(): void {
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}
