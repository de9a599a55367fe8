// Whether a process is still running, by its pid.
import { readProcessStat } from './process-stat.js';

/**
 * Signal 0 only asks whether the process exists; EPERM means it does, under another user. A process that has ended but
 * has not been reaped (a zombie, as an orphan stays where the init process does not reap) exists but runs no more:
 * Linux says so in /proc.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  return readProcessStat(pid)?.state !== 'Z';
}
