// Whether a process is still running, by its pid.
import { readFileSync } from 'node:fs';

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
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command's name, which is in parentheses and may hold any character.
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return true;
  }
}
