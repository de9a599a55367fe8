// The CPU time a process and all its descendants have used so far (user + system, from /proc), e.g. nginx's master and its workers.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** pid, parent pid and CPU ticks of one /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`. */
function parseStat(text: string): { ppid: number; ticks: number } {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) … utime(14) stime(15), so index = field − 3.
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

export async function processTreeCpuMs(root: number): Promise<number> {
  const processes = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // A process may exit between the listing and the read.
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (text !== undefined) processes.set(Number(entry), parseStat(text));
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
  let ticks = 0;
  for (const pid of inTree) ticks += processes.get(pid)?.ticks ?? 0;
  return (ticks / TICKS_PER_SECOND) * 1000;
}
