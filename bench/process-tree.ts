// A process and all its descendants, from /proc: e.g. nginx's master and its workers, or `studio serve` and its server.
import { allProcessStats, type ProcessStat } from '../src/lib/process-stat.js';

export function processTree(root: number): ProcessStat[] {
  const processes = allProcessStats();
  const inTree = new Set([root]);
  // Parents may come after their children in /proc, so repeat until no process joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const { pid, ppid } of processes) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  return processes.filter(({ pid }) => inTree.has(pid));
}
