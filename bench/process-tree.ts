// A process and all its descendants, from /proc: e.g. nginx's master and its workers, or `studio serve` and its server.
import { readdir, readFile } from 'node:fs/promises';

export interface ProcessStat {
  readonly pid: number;
  readonly ppid: number;
  /** R, S, D, Z (a zombie: ended, not yet reaped), … */
  readonly state: string;
  /** User + system CPU time, in clock ticks. */
  readonly ticks: number;
}

/** One /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`. */
function parseStat(pid: number, text: string): ProcessStat {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) … utime(14) stime(15), so index = field − 3.
  return { pid, state: fields[0] ?? '', ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

export async function processTree(root: number): Promise<ProcessStat[]> {
  const processes = new Map<number, ProcessStat>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // A process may exit between the listing and the read.
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (text !== undefined) processes.set(Number(entry), parseStat(Number(entry), text));
  }
  const inTree = new Set([root]);
  // Parents may come after their children in /proc, so repeat until no process joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, { ppid }] of processes) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  return [...inTree].flatMap((pid) => processes.get(pid) ?? []);
}
