// The cost of the extra hop: Studio proxying to an instant OpenAI-compatible upstream, against nginx proxying to the same upstream and against calling it directly (see README.md).
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isolatedEnvironment } from '../test/support/studio-process.js';
import { startHopClient, type HopClient } from './hop-client-process.js';
import { findNginx, nginxCommand } from './nginx-proxy.js';
import { positiveInteger } from './positive-integer.js';
import { freePort, startServerProcess, type ServerCommand, type ServerProcess } from './server-process.js';
import { processTreeCpuMs } from './process-cpu.js';
import { percentile } from './stats.js';
import { wrkInstalled, wrkSaturation } from './wrk-saturation.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    requests: { type: 'string' },
    seconds: { type: 'string' },
    // Profiles the Studio child (node --cpu-prof) into a folder the run names at its end.
    'cpu-prof': { type: 'boolean', default: false },
  },
});

const plan = {
  rounds: positiveInteger('rounds', values.rounds ?? (values.quick ? '1' : '3')),
  /** Per target, kind and concurrency in each round. */
  requests: positiveInteger('requests', values.requests ?? (values.quick ? '100' : '600')),
  concurrencies: [1, 8],
  saturation: { connections: 32, seconds: positiveInteger('seconds', values.seconds ?? (values.quick ? '2' : '5')) },
  warmupRequests: values.quick ? 50 : 300,
};

const TARGETS = ['direct', 'nginx', 'bare Node', 'Studio'] as const;
type Target = (typeof TARGETS)[number];
const KINDS = ['blocking', 'streamed'] as const;
type Kind = (typeof KINDS)[number];

const UPSTREAM_MODEL = 'instant';
const REQUEST = { model: UPSTREAM_MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 };
const BODIES: Record<Kind, string> = {
  blocking: JSON.stringify(REQUEST),
  streamed: JSON.stringify({ ...REQUEST, stream: true, stream_options: { include_usage: true } }),
};

const UPSTREAM: ServerCommand = {
  name: 'instant upstream',
  executable: process.execPath,
  args: ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./instant-upstream.ts', import.meta.url))],
  port: /listening on port (\d+)/,
  readyPath: '/v1/models',
};

/** The floor of any proxy written in Node: node:http and an undici Pool passing bodies through, with nothing of Studio's. */
function bareNodeCommand(upstreamOrigin: string): ServerCommand {
  const script = fileURLToPath(new URL('./bare-node-proxy.ts', import.meta.url));
  return { name: 'bare Node', executable: process.execPath, args: ['--import', import.meta.resolve('tsx'), script, upstreamOrigin], port: /listening on port (\d+)/, readyPath: '/v1/models' };
}

/** Studio on the default store (SQLite in a data folder of its own, so the ledger writes every request's row), with no STUDIO_* or database setting of this machine's. */
async function studioCommand(directory: string, env: NodeJS.ProcessEnv, port: number, upstreamPort: number, profileDirectory: string | undefined): Promise<ServerCommand> {
  const config = join(directory, 'studio.yaml');
  await writeFile(
    config,
    `models:\n  - name: ${UPSTREAM_MODEL}\n    upstream:\n      endpoints: [{ url: http://127.0.0.1:${upstreamPort}/v1, model: ${UPSTREAM_MODEL}, weight: 1, metrics: false }]\n`,
  );
  const profile = profileDirectory === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDirectory];
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const args = [...profile, '--import', import.meta.resolve('tsx'), main, 'serve', '--config', config, '--port', String(port), '--shutdown-timeout', '0'];
  return { name: 'Studio', executable: process.execPath, args, port, env };
}

/** The first line a tool prints about its version, wherever it prints it (nginx -v to stderr; wrk --version exits 1). */
function versionOf(command: string, args: readonly string[]): string {
  const { stdout, stderr } = spawnSync(command, args, { encoding: 'utf8' });
  return `${stdout}${stderr}`.split('\n')[0]?.trim() ?? 'unknown';
}

interface Summary {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly count: number;
}

interface HopReport {
  readonly startedAt: string;
  readonly plan: typeof plan;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly memoryBytes: number; readonly node: string; readonly loadAverageAtStart: readonly number[] };
  readonly nginx?: string;
  readonly saturationTool: string;
  /** `latency[target][kind + concurrency]`: blocking to the last byte, streamed to the first content frame. */
  readonly latency: Partial<Record<Target, Record<string, Summary>>>;
  /** Each round's requests/s, and the CPU time the target's processes (the upstream's for `direct`) spent per request meanwhile. */
  readonly saturation: Partial<Record<Target, Record<Kind, { readonly rps: number[]; readonly cpuMsPerRequest: number[] }>>>;
  readonly notes: readonly string[];
}

const log = (line: string): void => console.log(line);

async function startAll(
  directory: string,
  nginxBinary: string | undefined,
  profileDirectory: string | undefined,
): Promise<{ servers: Partial<Record<Target, ServerProcess>>; stop(): Promise<void> }> {
  const started: ServerProcess[] = [];
  const studioEnvironment = isolatedEnvironment();
  const start = async (command: ServerCommand): Promise<ServerProcess> => {
    log(`${command.name}: starting`);
    const server = await startServerProcess(command);
    started.push(server);
    return server;
  };
  const stop = async (): Promise<void> => {
    // The proxies first, then the upstream they point at.
    for (const server of started.reverse()) await server.stop();
    studioEnvironment.removeDataDir();
  };
  try {
    const upstream = await start(UPSTREAM);
    const upstreamPort = Number(new URL(upstream.url).port);
    const nginx = nginxBinary === undefined ? undefined : await start(await nginxCommand(nginxBinary, directory, await freePort(), upstreamPort, '/v1/models'));
    const bareNode = await start(bareNodeCommand(upstream.url));
    const studio = await start(await studioCommand(directory, studioEnvironment.env, await freePort(), upstreamPort, profileDirectory));
    return { servers: { direct: upstream, nginx, 'bare Node': bareNode, Studio: studio }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function summary(samples: readonly number[]): Summary {
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), count: samples.length };
}

/** Every target gets each workload in turn, in an order that turns each round, so a machine that drifts moves them alike. */
async function measure(
  servers: Partial<Record<Target, ServerProcess>>,
  client: HopClient,
  directory: string,
  useWrk: boolean,
): Promise<Pick<HopReport, 'latency' | 'saturation'>> {
  const targets = TARGETS.filter((target) => servers[target] !== undefined);
  const samples = new Map<string, number[]>();
  const saturation: HopReport['saturation'] = {};
  for (const target of targets) saturation[target] = { blocking: { rps: [], cpuMsPerRequest: [] }, streamed: { rps: [], cpuMsPerRequest: [] } };
  const origin = (target: Target): string => servers[target]!.url;

  for (const target of targets) {
    for (const kind of KINDS) await client.run({ origin: origin(target), body: BODIES[kind], stream: kind === 'streamed', concurrency: 8, requests: plan.warmupRequests });
  }
  for (let round = 0; round < plan.rounds; round++) {
    const order = targets.map((_, index) => targets[(index + round) % targets.length]!);
    log(`round ${round + 1} of ${plan.rounds}: latency (${order.join(', ')})`);
    for (const concurrency of plan.concurrencies) {
      for (const kind of KINDS) {
        for (const target of order) {
          const { latenciesMs } = await client.run({ origin: origin(target), body: BODIES[kind], stream: kind === 'streamed', concurrency, requests: plan.requests });
          const key = `${target} ${kind} ${concurrency}`;
          samples.set(key, [...(samples.get(key) ?? []), ...latenciesMs]);
        }
      }
    }
    log(`round ${round + 1} of ${plan.rounds}: saturation, ${plan.saturation.connections} connections × ${plan.saturation.seconds} s each`);
    for (const kind of KINDS) {
      for (const target of order) {
        const cpuBefore = processTreeCpuMs(servers[target]!.pid);
        const { requestsPerSecond, requests } = await saturate(client, origin(target), kind, directory, useWrk).catch((error: unknown) => {
          throw new Error(`${target}, ${kind}: ${String(error)}`, { cause: error });
        });
        saturation[target]![kind].rps.push(requestsPerSecond);
        saturation[target]![kind].cpuMsPerRequest.push((processTreeCpuMs(servers[target]!.pid) - cpuBefore) / requests);
      }
    }
  }
  const latency: Partial<Record<Target, Record<string, Summary>>> = {};
  for (const target of targets) {
    latency[target] = {};
    for (const kind of KINDS) for (const concurrency of plan.concurrencies) latency[target][`${kind} ${concurrency}`] = summary(samples.get(`${target} ${kind} ${concurrency}`) ?? []);
  }
  return { latency, saturation };
}

/** wrk, or without it the bench's own Node client, as many requests at once as wrk's connections, for about as long. */
async function saturate(client: HopClient, origin: string, kind: Kind, directory: string, useWrk: boolean): Promise<{ requestsPerSecond: number; requests: number }> {
  if (useWrk) return wrkSaturation(`${origin}/v1/chat/completions`, BODIES[kind], { ...plan.saturation, scriptDirectory: directory });
  const requests = plan.requests * 4;
  const { requestsPerSecond } = await client.run({ origin, body: BODIES[kind], stream: kind === 'streamed', concurrency: plan.saturation.connections, requests });
  return { requestsPerSecond, requests };
}

const mean = (samples: readonly number[]): number => samples.reduce((sum, value) => sum + value, 0) / samples.length;
const LATENCY_TARGET = 2;
const THROUGHPUT_TARGET = 0.5;

type Check = { readonly row: string; readonly met: boolean };

/** "missed in 2 of 9 rows: …", or undefined where every row was met. */
function missedRows(checks: readonly Check[]): string | undefined {
  const missed = checks.filter((check) => !check.met);
  return missed.length === 0 ? undefined : `missed in ${missed.length} of ${checks.length} rows: ${missed.map((check) => check.row).join('; ')}.`;
}

function verdict(checks: readonly Check[]): string {
  if (checks.length === 0) return 'No target checked: there was no nginx to compare with.';
  const target = `Studio adds at most ${LATENCY_TARGET}× the latency nginx adds and keeps at least ${THROUGHPUT_TARGET}× its requests/s`;
  const missed = missedRows(checks);
  return missed === undefined ? `Target met in every row: ${target}.` : `Target (${target}) ${missed}`;
}

function renderMarkdown(report: HopReport): string {
  const { latency, saturation, plan: used, machine } = report;
  const direct = latency.direct!;
  const rows: string[] = [];
  /** Each target's row, and whether Studio met it. */
  const checks: Check[] = [];
  /** The same rows for the bare Node proxy: what any proxy written in Node reaches here. */
  const floorChecks: Check[] = [];
  const ms = (value: number): string => value.toFixed(2);
  const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
  for (const concurrency of used.concurrencies) {
    for (const kind of KINDS) {
      for (const stat of ['p50Ms', 'p99Ms'] as const) {
        const key = `${kind} ${concurrency}`;
        const what = `${kind === 'blocking' ? 'blocking, whole reply' : 'streamed, first token'}, ${concurrency} at a time: ${stat === 'p50Ms' ? 'p50' : 'p99'} ms`;
        const base = direct[key]![stat];
        const nginx = latency.nginx?.[key]?.[stat];
        const bare = latency['bare Node']![key]![stat];
        const studio = latency.Studio![key]![stat];
        const nginxAdded = nginx === undefined ? undefined : nginx - base;
        const studioAdded = studio - base;
        // A proxy cannot take time away: where nginx's percentile is not above the direct one, the difference is noise and no ratio is drawn.
        const ratio = nginxAdded === undefined || nginxAdded <= 0 ? undefined : studioAdded / nginxAdded;
        if (ratio !== undefined) {
          checks.push({ row: what, met: ratio <= LATENCY_TARGET });
          floorChecks.push({ row: what, met: bare - base <= LATENCY_TARGET * nginxAdded! });
        }
        const target = ratio === undefined ? '' : `≤ ${LATENCY_TARGET}× ${ratio <= LATENCY_TARGET ? '✓' : '✗'}`;
        rows.push(`| ${what} | ${ms(base)} | ${nginx === undefined ? '–' : ms(nginx)} | ${ms(bare)} | ${ms(studio)} | ${nginxAdded === undefined ? '–' : signed(nginxAdded)} | ${signed(studioAdded)} | ${ratio === undefined ? '–' : `${ratio.toFixed(2)}×`} | ${target} |`);
      }
    }
  }
  for (const kind of KINDS) {
    const base = mean(saturation.direct![kind].rps);
    const nginx = saturation.nginx === undefined ? undefined : mean(saturation.nginx[kind].rps);
    const bare = mean(saturation['bare Node']![kind].rps);
    const studio = mean(saturation.Studio![kind].rps);
    const ratio = nginx === undefined ? undefined : studio / nginx;
    if (ratio !== undefined) {
      checks.push({ row: `${kind}: requests/s`, met: ratio >= THROUGHPUT_TARGET });
      floorChecks.push({ row: `${kind}: requests/s (${(bare / nginx!).toFixed(2)}× nginx's)`, met: bare / nginx! >= THROUGHPUT_TARGET });
    }
    const target = ratio === undefined ? '' : `≥ ${THROUGHPUT_TARGET.toFixed(2)}× ${ratio >= THROUGHPUT_TARGET ? '✓' : '✗'}`;
    rows.push(`| ${kind}: requests/s at saturation | ${base.toFixed(0)} | ${nginx === undefined ? '–' : nginx.toFixed(0)} | ${bare.toFixed(0)} | ${studio.toFixed(0)} | | | ${ratio === undefined ? '–' : `${ratio.toFixed(2)}×`} | ${target} |`);
  }
  for (const kind of KINDS) {
    const cpu = (target: Target): number | undefined => (saturation[target] === undefined ? undefined : mean(saturation[target][kind].cpuMsPerRequest));
    const [base, nginx, bare, studio] = [cpu('direct')!, cpu('nginx'), cpu('bare Node')!, cpu('Studio')!];
    const ratio = nginx === undefined ? '–' : `${(studio / nginx).toFixed(2)}×`;
    rows.push(`| ${kind}: CPU ms per request at saturation (the upstream's for direct) | ${ms(base)} | ${nginx === undefined ? '–' : ms(nginx)} | ${ms(bare)} | ${ms(studio)} | | | ${ratio} | |`);
  }
  return [
    `# The cost of the extra hop (${report.startedAt})`,
    '',
    ...(values.quick ? ['**Quick run: a smoke test of the harness, too short to measure anything.**', ''] : []),
    `- machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB, Node ${machine.node}; load average at the start ${machine.loadAverageAtStart.map((value) => value.toFixed(2)).join(', ')}`,
    `- the client, the proxy and the upstream share these ${machine.cores} cores, each in a process of its own (${report.nginx ?? 'no nginx'}; ${report.saturationTool}); other work on the machine moves every number`,
    `- the upstream: an OpenAI-compatible server that answers at once (test/support/fake-upstream.ts); Studio with the ledger on (SQLite in a fresh data folder) and its request log; nginx with one worker, upstream keep-alive, \`proxy_buffering off\` and its access log; bare Node: node:http and an undici Pool passing each body through unparsed (bench/bare-node-proxy.ts), the floor of any proxy written in Node`,
    `- latency: ${used.requests} requests per target, kind and concurrency in each of ${used.rounds} round(s), targets taking turns; blocking timed to the reply's last byte, streamed to the first frame with content; "added" is the proxy's percentile minus the direct one`,
    `- saturation: ${plan.saturation.connections} keep-alive connections for ${plan.saturation.seconds} s per target and kind in each round, the mean of the rounds; CPU ms per request is the user + system time of the proxy's processes (nginx's master and worker; Studio's two, the started one and its server) over those requests, from /proc: unlike the times, it hardly moves with other load on the machine`,
    ...report.notes.map((note) => `- ${note}`),
    '',
    '| measure | direct | nginx | bare Node | Studio | nginx adds | Studio adds | Studio / nginx | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    verdict(checks),
    ...(floorChecks.length === 0 ? [] : ['', `The bare Node proxy against the same target: ${missedRows(floorChecks) ?? 'met in every row.'}`]),
    '',
  ].join('\n');
}

async function writeResults(report: HopReport, markdown: string): Promise<string[]> {
  const directory = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(directory, { recursive: true });
  const markdownPath = join(directory, 'upstream-hop-latest.md');
  const jsonPath = join(directory, `upstream-hop-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(markdownPath, markdown);
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  return [markdownPath, jsonPath];
}

const startedAt = new Date().toISOString();
const loadAverageAtStart = loadavg();
const notes: string[] = [];
const nginxBinary = await findNginx();
if (nginxBinary === undefined) {
  notes.push('nginx is not installed, so there is no nginx column and no ratio: `apt-get install -y nginx` (Debian, Ubuntu) or your system\'s nginx package');
  console.warn(`Skipping the nginx comparison: ${notes.at(-1)}`);
}
const useWrk = await wrkInstalled();
if (!useWrk) console.warn('wrk is not installed (`apt-get install -y wrk`): requests/s at saturation come from the bench\'s own Node client, which takes more of the CPU');
const directory = await mkdtemp(join(tmpdir(), 'studio-upstream-hop-'));
const profileDirectory = values['cpu-prof'] ? await mkdtemp(join(tmpdir(), 'studio-upstream-hop-profile-')) : undefined;
const client = startHopClient();
try {
  const { servers, stop } = await startAll(directory, nginxBinary, profileDirectory);
  let measured: Pick<HopReport, 'latency' | 'saturation'>;
  try {
    measured = await measure(servers, client, directory, useWrk);
  } catch (error) {
    throw new Error(`${String(error)}\nThe end of Studio's output:\n${servers.Studio?.outputTail() ?? ''}`, { cause: error });
  } finally {
    await stop();
  }
  const report: HopReport = {
    startedAt,
    plan,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), memoryBytes: totalmem(), node: process.version, loadAverageAtStart },
    nginx: nginxBinary === undefined ? undefined : versionOf(nginxBinary, ['-v']),
    saturationTool: useWrk ? `saturation from ${versionOf('wrk', ['--version']).split(' [')[0]}, 1 thread` : 'saturation from the bench\'s Node client (wrk is not installed)',
    ...measured,
    notes,
  };
  const markdown = renderMarkdown(report);
  console.log(`\n${markdown}`);
  console.log(`Wrote ${(await writeResults(report, markdown)).join(' and ')}`);
  if (profileDirectory !== undefined) console.log(`Studio's CPU profile: ${profileDirectory}`);
} finally {
  client.stop();
  await rm(directory, { recursive: true, force: true });
}
