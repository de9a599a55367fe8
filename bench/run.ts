// `npm run bench`: Studio against llama.cpp's own llama-server on the same GGUF, both up and taking turns at every workload (see README.md).
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchModelPath } from '../test/test-model.js';
import { batchedDecodeTokensPerSecond } from './llama-batched-bench.js';
import { runLlamaBench } from './llama-bench.js';
import { ensureLlamaCpp } from './llama-cpp-build.js';
import { measureDecodeFloor } from './measure-decode-floor.js';
import { describeMachine } from './machine.js';
import { positiveInteger } from './positive-integer.js';
import { renderMarkdown, writeReport, type ServerRun } from './report.js';
import { measureStartUp } from './start-up.js';
import { freePort, startServerProcess, type ServerCommand, type ServerProcess } from './server-process.js';
import { chatClient, type ChatTarget } from './stream-timing.js';
import { utf8FragmentTokens } from './utf8-fragment-tokens.js';
import { FULL_PLAN, QUICK_PLAN, runWorkloads, type BurstCeiling, type BurstCeilingResult, type Pair, type WorkloadPlan } from './workloads.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(availableParallelism()) },
    parallel: { type: 'string', default: '8' },
    ctx: { type: 'string', default: '2048' },
    quick: { type: 'boolean', default: false },
  },
});

const config = {
  threads: positiveInteger('threads', values.threads),
  parallel: positiveInteger('parallel', values.parallel),
  ctx: positiveInteger('ctx', values.ctx),
  quick: values.quick,
  plan: values.quick ? QUICK_PLAN : FULL_PLAN,
};

/** The same model, threads, slots and context per slot for both servers; Studio on the CPU, like this llama-server build. */
function studioCommand(model: string, port: number): ServerCommand {
  // The built command, as people run it (`npm run build` first): no TypeScript compiled at start-up.
  const main = fileURLToPath(new URL('../bin/studio.js', import.meta.url));
  const options = ['--model', model, '--port', port, '--threads', config.threads, '--parallel', config.parallel, '--ctx', config.ctx];
  // llama-server lets a request wait for a slot as long as it takes; so does Studio here.
  const waiting = ['--max-queue', '1000', '--queue-timeout', '3600'];
  const args = [main, 'serve', ...options.map(String), ...waiting, '--gpu', 'off', '--shutdown-timeout', '0'];
  return { name: 'Studio', executable: process.execPath, args, port };
}

/**
 * `-c` is the context of all slots together. llama-server answers 500 to a chat reply that is not valid UTF-8, which the
 * random model often writes, so it never samples a token that is a piece of a character (`-l ID-inf`; biasing a
 * thousand-odd of the 150k logits costs nothing next to the model). `--no-jinja` renders the prompt with its built-in
 * ChatML and streams the reply as plain content, like Studio; its Jinja path would also parse every reply for Qwen3's
 * tool calls and thinking, and fail the request when random text does not fit.
 */
function llamaServerCommand(binary: string, model: string, port: number, bannedTokens: readonly number[]): ServerCommand {
  const options = ['-m', model, '-t', config.threads, '-np', config.parallel, '-c', config.ctx * config.parallel, '--host', '127.0.0.1', '--port', port];
  const logitBias = bannedTokens.flatMap((token) => ['-l', `${token}-inf`]);
  return { name: 'llama-server', executable: binary, args: [...options.map(String), '--no-jinja', ...logitBias], port };
}

/** The command line as the results record it: paths relative to the project, llama-server's long bias list summed up. */
function describeCommand(command: ServerCommand): string {
  return [command.executable === process.execPath ? 'node' : command.executable, ...command.args]
    .join(' ')
    .replaceAll(`${process.cwd()}/`, './')
    .replace(/( -l \d+-inf)+/, ' -l <token>-inf (each token that is not a whole UTF-8 character)');
}

async function chatTarget(server: ServerProcess, name: string): Promise<ChatTarget> {
  const client = chatClient(server.url);
  const [model] = (await client.models.list()).data;
  if (model === undefined) throw new Error(`${name} lists no model`);
  return { client, model: model.id };
}

/** Both servers up at once, the workloads alternating between them; each request still has its server to itself. */
async function measureServers(
  commands: Pair<ServerCommand>,
  plan: WorkloadPlan,
  burstCeiling: BurstCeiling,
): Promise<{ readonly servers: Pair<ServerRun>; readonly burstCeilings: readonly BurstCeilingResult[] }> {
  const servers: ServerProcess[] = [];
  const outputTails = (): string => servers.map((server, index) => `The end of ${commands[index]?.name}'s output:\n${server.outputTail()}`).join('\n');
  try {
    for (const command of commands) {
      console.log(`${command.name}: starting`);
      servers.push(await startServerProcess(command));
    }
    const [studio, llamaServer] = servers as [ServerProcess, ServerProcess];
    const targets = [await chatTarget(studio, commands[0].name), await chatTarget(llamaServer, commands[1].name)] as const;
    const { servers: results, burstCeilings } = await runWorkloads(targets, plan, burstCeiling, (step) => console.log(step));
    const run = async (server: ServerProcess, index: 0 | 1): Promise<ServerRun> => ({
      command: describeCommand(commands[index]),
      startupMs: server.startupMs,
      peakRssBytes: await server.peakRssBytes(),
      results: results[index],
    });
    return { servers: [await run(studio, 0), await run(llamaServer, 1)], burstCeilings };
  } catch (error) {
    throw new Error(`${String(error)}\n${outputTails()}`, { cause: error });
  } finally {
    for (const server of servers) await server.stop();
  }
}

const startedAt = new Date().toISOString();
const build = await ensureLlamaCpp();
console.log('Making the bench model (once)');
const model = await benchModelPath();
console.log('llama-bench: decode and prefill');
const repetitions = config.quick ? 1 : 5;
const llamaBench = {
  decode: await runLlamaBench(build.benchBinary, model, config.threads, { promptTokens: 0, generatedTokens: config.quick ? 16 : 128, repetitions }),
  prefill: await runLlamaBench(build.benchBinary, model, config.threads, { promptTokens: config.quick ? 64 : 512, generatedTokens: 0, repetitions }),
};
console.log('decode floor: node-llama-cpp\'s token loop against a plain C++ loop over the same libraries');
const decodeFloor = await measureDecodeFloor({ model, threads: config.threads, parallel: config.parallel, ctx: config.ctx, tokens: config.quick ? 16 : 64, rounds: config.quick ? 2 : 8 });
const fragmentTokens = await utf8FragmentTokens(model);
const commands = [studioCommand(model, await freePort()), llamaServerCommand(build.serverBinary, model, await freePort(), fragmentTokens)] as const;
console.log('Start-up: each server started and stopped in turn, timed to its first chat reply');
const startUp = await measureStartUp(
  { studio: async () => studioCommand(model, await freePort()), llamaServer: async () => llamaServerCommand(build.serverBinary, model, await freePort(), fragmentTokens) },
  config.quick ? 1 : 5,
);
const startUpLine = `start-up: Studio / llama-server = ${(startUp.studio.medianMs / startUp.llamaServer.medianMs).toFixed(2)}× (median ${(startUp.studio.medianMs / 1000).toFixed(2)} s against ${(startUp.llamaServer.medianMs / 1000).toFixed(2)} s)`;
console.log(startUpLine);
// llama-batched-bench with the servers' context and threads; more streams than slots never decode together.
const burstCeiling: BurstCeiling = async (streams, promptTokens, generatedTokens) =>
  streams > config.parallel
    ? undefined
    : batchedDecodeTokensPerSecond(build.batchedBenchBinary, model, { threads: config.threads, contextTokens: config.ctx * config.parallel, sequences: streams, promptTokens, generatedTokens });
const { servers, burstCeilings } = await measureServers(commands, config.plan, burstCeiling);
const [studio, llamaServer] = [{ ...servers[0], startupMs: startUp.studio.medianMs }, { ...servers[1], startupMs: startUp.llamaServer.medianMs }];
const report = { startedAt, config, machine: await describeMachine(build.commit), model: model.replace(`${process.cwd()}/`, './'), llamaBench, decodeFloor, burstCeilings, startUp, studio, llamaServer };
const markdown = renderMarkdown(report);
console.log(`\n${markdown}`);
console.log(startUpLine);
console.log(`Wrote ${(await writeReport(report, markdown)).join(' and ')}`);

// The cost of the extra hop, in a process of its own now that both servers have stopped: it needs neither the model nor llama.cpp.
console.log('\nThe cost of the extra hop (bench/upstream-hop.ts)');
const hopArgs = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./upstream-hop.ts', import.meta.url)), ...(config.quick ? ['--quick'] : [])];
const hopExit = await new Promise<number | null>((resolve, reject) => spawn(process.execPath, hopArgs, { stdio: 'inherit' }).once('error', reject).once('exit', resolve));
if (hopExit !== 0) throw new Error(`bench/upstream-hop.ts exited with ${hopExit}`);
