// Describes the machine and the software versions a benchmark ran on.
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';

export interface MachineDescription {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly nodeLlamaCpp: string;
  readonly llamaCppCommit: string;
}

async function cpuModel(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
}

export async function describeMachine(llamaCppCommit: string): Promise<MachineDescription> {
  const packageJson = await readFile(new URL('../node_modules/node-llama-cpp/package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(packageJson) as { version: string };
  return {
    cpu: await cpuModel(),
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    os: `${process.platform} ${process.arch}`,
    node: process.version,
    nodeLlamaCpp: version,
    llamaCppCommit,
  };
}
