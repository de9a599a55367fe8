// The CPU time a process and all its descendants have used so far (user + system, from /proc), e.g. nginx's master and its workers.
import { execFileSync } from 'node:child_process';
import { processTree } from './process-tree.js';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export function processTreeCpuMs(root: number): number {
  const ticks = processTree(root).reduce((sum, process) => sum + process.ticks, 0);
  return (ticks / TICKS_PER_SECOND) * 1000;
}
