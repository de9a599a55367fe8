// Compares Studio with llama-server: a markdown table of ratios, and the raw numbers as JSON, in bench/results/.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlamaBenchResult } from './llama-bench.js';
import type { MachineDescription } from './machine.js';
import type { DecodeFloorResult } from './measure-decode-floor.js';
import { SAMPLED, type BurstCeilingResult, type WorkloadPlan, type WorkloadResults } from './workloads.js';

const resultsDirectory = fileURLToPath(new URL('./results/', import.meta.url));

export interface ServerRun {
  /** The command line it ran with. */
  readonly command: string;
  readonly startupMs: number;
  readonly peakRssBytes: number;
  readonly results: WorkloadResults;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly config: { readonly threads: number; readonly parallel: number; readonly ctx: number; readonly quick: boolean; readonly plan: WorkloadPlan };
  readonly machine: MachineDescription;
  readonly model: string;
  readonly llamaBench: { readonly decode: LlamaBenchResult; readonly prefill: LlamaBenchResult };
  readonly decodeFloor: DecodeFloorResult;
  readonly burstCeilings: readonly BurstCeilingResult[];
  readonly studio: ServerRun;
  readonly llamaServer: ServerRun;
}

interface Comparison {
  readonly metric: string;
  readonly studio: number;
  readonly llamaServer: number;
  readonly decimals: number;
  readonly better: 'higher' | 'lower';
  /** What Studio should reach, and whether it did. */
  readonly target?: { readonly text: string; readonly met: boolean };
}

const MEGABYTE = 1024 * 1024;

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const RSS_ALLOWANCE_MB = 150;

function atLeast(ratio: number, studio: number, llamaServer: number): Comparison['target'] {
  return { text: `≥ ${ratio.toFixed(2)}×`, met: studio / llamaServer >= ratio };
}

function atMost(ratio: number, studio: number, llamaServer: number): Comparison['target'] {
  return { text: `≤ ${ratio.toFixed(2)}×`, met: studio / llamaServer <= ratio };
}

function comparisons({ studio, llamaServer, decodeFloor }: BenchReport): Comparison[] {
  const [s, l] = [studio.results, llamaServer.results];
  const rows: Comparison[] = [
    {
      metric: 'decode floor ms/token, no server: node-llama-cpp\'s loop (Studio column) against a plain C++ loop',
      studio: decodeFloor.nodeLlamaCppMs,
      llamaServer: decodeFloor.plainMs,
      decimals: 2,
      better: 'lower',
      target: atMost(1.05, decodeFloor.nodeLlamaCppMs, decodeFloor.plainMs),
    },
    {
      metric: 'single stream: decode tok/s',
      studio: s.singleStream.decodeTokensPerSecond,
      llamaServer: l.singleStream.decodeTokensPerSecond,
      decimals: 1,
      better: 'higher',
      target: atLeast(1, s.singleStream.decodeTokensPerSecond, l.singleStream.decodeTokensPerSecond),
    },
    { metric: 'single stream: TTFT ms', studio: s.singleStream.ttftMs, llamaServer: l.singleStream.ttftMs, decimals: 0, better: 'lower' },
    {
      metric: 'single stream, sampled from the whole vocabulary: decode tok/s',
      studio: s.sampledStream.decodeTokensPerSecond,
      llamaServer: l.sampledStream.decodeTokensPerSecond,
      decimals: 1,
      better: 'higher',
    },
  ];
  s.concurrency.forEach((burst, index) => {
    const other = l.concurrency[index];
    if (other === undefined) return;
    const decode: Comparison = {
      metric: `${burst.streams}-stream burst: aggregate decode tok/s`,
      studio: burst.decodeTokensPerSecond,
      llamaServer: other.decodeTokensPerSecond,
      decimals: 1,
      better: 'higher',
    };
    rows.push(
      // As fast as llama-server at every width (1–2 streams are its loop against ours), and ahead at 8, where batching decides.
      { ...decode, target: atLeast(burst.streams === 8 ? 1.1 : 1, burst.decodeTokensPerSecond, other.decodeTokensPerSecond) },
      { metric: `${burst.streams}-stream burst: TTFT p50 ms`, studio: burst.ttftP50Ms, llamaServer: other.ttftP50Ms, decimals: 0, better: 'lower' },
      { metric: `${burst.streams}-stream burst: TTFT p95 ms`, studio: burst.ttftP95Ms, llamaServer: other.ttftP95Ms, decimals: 0, better: 'lower' },
    );
  });
  rows.push(
    {
      metric: 'chat: tok/s',
      studio: s.chat.tokensPerSecond,
      llamaServer: l.chat.tokensPerSecond,
      decimals: 1,
      better: 'higher',
      target: atLeast(1.35, s.chat.tokensPerSecond, l.chat.tokensPerSecond),
    },
    { metric: 'chat: wall time s', studio: s.chat.wallMs / 1000, llamaServer: l.chat.wallMs / 1000, decimals: 1, better: 'lower' },
    { metric: 'chat: TTFT p50 ms', studio: s.chat.ttftP50Ms, llamaServer: l.chat.ttftP50Ms, decimals: 0, better: 'lower' },
    { metric: 'chat: TTFT p95 ms', studio: s.chat.ttftP95Ms, llamaServer: l.chat.ttftP95Ms, decimals: 0, better: 'lower' },
    {
      metric: 'peak RSS MB',
      studio: studio.peakRssBytes / MEGABYTE,
      llamaServer: llamaServer.peakRssBytes / MEGABYTE,
      decimals: 0,
      better: 'lower',
      target: { text: `≤ llama-server + ${RSS_ALLOWANCE_MB} MB`, met: studio.peakRssBytes - llamaServer.peakRssBytes <= RSS_ALLOWANCE_MB * MEGABYTE },
    },
    {
      metric: 'start-up s',
      studio: studio.startupMs / 1000,
      llamaServer: llamaServer.startupMs / 1000,
      decimals: 1,
      better: 'lower',
      target: atMost(1, studio.startupMs, llamaServer.startupMs),
    },
  );
  return rows;
}

export function renderMarkdown(report: BenchReport): string {
  const { config, machine, llamaBench, burstCeilings, studio } = report;
  const { plan } = config;
  const burst = studio.results.concurrency[0];
  const table = comparisons(report).map((row) => {
    const target = row.target === undefined ? '' : `${row.target.text} ${row.target.met ? '✓' : '✗'}`;
    const cells = [row.metric, row.studio.toFixed(row.decimals), row.llamaServer.toFixed(row.decimals), `${(row.studio / row.llamaServer).toFixed(2)}×`, row.better, target];
    return `| ${cells.join(' | ')} |`;
  });
  const lines = [
    `# Studio vs llama-server (${report.startedAt})`,
    '',
    ...(config.quick ? ['**Quick run: a smoke test of the harness, too short to measure anything. The targets apply to full runs.**', ''] : []),
    `- machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB, ${machine.os}; Node ${machine.node}, node-llama-cpp ${machine.nodeLlamaCpp}, llama.cpp ${machine.llamaCppCommit.slice(0, 10)}`,
    `- both servers: the bench model (Qwen3-0.6B's shape, Q8_0, random weights), ${config.threads} threads, ${config.parallel} parallel slots of ${config.ctx} tokens, greedy unless a workload says otherwise; both servers up at once, every workload run on one and then the other, alternating which goes first`,
    `- llama-bench, no server: decode ${llamaBench.decode.tokensPerSecond.toFixed(1)} tok/s (tg${llamaBench.decode.generatedTokens}), prefill ${llamaBench.prefill.tokensPerSecond.toFixed(1)} tok/s (pp${llamaBench.prefill.promptTokens})`,
    `- llama-batched-bench, no server, after every round of each burst, with its prompt and reply lengths: N sequences decoding together with nothing but llama_decode (no sampling, no HTTP), the most a burst's aggregate decode can reach: ${burstCeilings.map((ceiling) => `${ceiling.decodeTokensPerSecond.toFixed(1)} tok/s at ${ceiling.streams}`).join(', ')}`,
    `- single stream: the median of ${count(plan.singleStream.runs, 'run')} of ${plan.singleStream.maxTokens} tokens from a short prompt`,
    `- single stream, sampled: the same, ${count(plan.sampledStream.runs, 'run')}, with temperature ${SAMPLED.temperature}, top_p ${SAMPLED.top_p}, top_k ${SAMPLED.top_k} and min_p ${SAMPLED.min_p} (every token a candidate), a seed for each run`,
    `- N-stream burst: N requests at once, each a ~${burst?.promptTokensPerStream ?? '?'}-token prompt and ${plan.concurrency.maxTokens} tokens out; each number the median of ${count(plan.concurrency.rounds, 'round')}`,
    `- chat: ${count(plan.chat.conversations, 'conversation')} at once, ${count(plan.chat.turns, 'turn')} each, sharing a ~${plan.chat.systemWords}-word system prompt; each turn sends the whole history and ${plan.chat.maxTokens} tokens come back; each number the median of ${count(plan.chat.rounds, 'round')}, each round with a system prompt of its own`,
    '',
    '| metric | Studio | llama-server | Studio / llama-server | better | target |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...table,
    '',
  ];
  return lines.join('\n');
}

/** Writes `latest.md` and `<timestamp>.json`; returns their paths. */
export async function writeReport(report: BenchReport, markdown: string): Promise<string[]> {
  await mkdir(resultsDirectory, { recursive: true });
  const markdownPath = join(resultsDirectory, 'latest.md');
  const jsonPath = join(resultsDirectory, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(markdownPath, markdown);
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  return [markdownPath, jsonPath];
}
