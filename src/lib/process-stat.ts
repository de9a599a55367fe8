// What Linux says of a process in /proc/<pid>/stat: its parent, its state and the CPU time it has used.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessStat {
  readonly pid: number;
  readonly ppid: number;
  /** R, S, D, Z (a zombie: ended, not yet reaped), … */
  readonly state: string;
  /** User + system CPU time, in clock ticks. */
  readonly ticks: number;
}

/** The process's stat, or undefined once it is gone (or where there is no /proc). */
export function readProcessStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command's name (field 2) is in parentheses and may hold any character, so fields are counted after its last
  // `)`: state(3) ppid(4) … utime(14) stime(15), at index field − 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0] ?? '', ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** Every process this one can see. */
export function allProcessStats(): ProcessStat[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => readProcessStat(Number(entry)) ?? []);
}
