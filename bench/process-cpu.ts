// The CPU time a process and all its descendants have used so far (user + system, from /proc), e.g. nginx's master and its workers.
import { execFileSync } from 'node:child_process';
import { processTree } from './process-tree.js';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export async function processTreeCpuMs(root: number): Promise<number> {
  const ticks = (await processTree(root)).reduce((sum, process) => sum + process.ticks, 0);
  return (ticks / TICKS_PER_SECOND) * 1000;
}
