// Live time to first token with no batch work, and with batch-priority generations holding every sequence: what a running batch costs live traffic.
// On the bench model only: the tiny one's greedy replies to most prompts are tokens that decode to no text, which a stream cannot time.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { loadServerConfig } from '../src/config/server-config.js';
import type { ChatRequest } from '../src/core/chat-request.js';
import { PreemptedError } from '../src/core/errors.js';
import { benchModelPath } from '../test/test-model.js';
import { fillerText } from './filler-text.js';
import { positiveInteger } from './positive-integer.js';
import { median, percentile } from './stats.js';
import { chatClient, type ChatTarget } from './stream-timing.js';

const { values } = parseArgs({
  options: {
    parallel: { type: 'string', default: '4' },
    live: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    tokens: { type: 'string', default: '8' },
    'batch-tokens': { type: 'string', default: '256' },
    'prompt-words': { type: 'string', default: '100' },
    threads: { type: 'string', default: String(availableParallelism()) },
    gpu: { type: 'string', default: 'off' },
  },
});
const parallel = positiveInteger('parallel', values.parallel);
const liveRequests = positiveInteger('live', values.live);
const rounds = positiveInteger('rounds', values.rounds);
const liveTokens = positiveInteger('tokens', values.tokens);
const batchTokens = positiveInteger('batch-tokens', values['batch-tokens']);
const promptWords = positiveInteger('prompt-words', values['prompt-words']);
positiveInteger('threads', values.threads);

/** Batch lines started, finished and preempted, and the tokens they generated, over one phase. */
interface BatchTally {
  started: number;
  finished: number;
  preempted: number;
  outputTokens: number;
}

/**
 * `parallel` loops, each running batch lines straight through the engine as the Batch API's runner does,
 * one after the other, a preempted line started again at once (it then waits for a sequence live traffic leaves).
 */
function runBatchWork(server: RunningServer, model: string, signal: AbortSignal): { readonly tally: BatchTally; readonly done: Promise<void> } {
  const tally: BatchTally = { started: 0, finished: 0, preempted: 0, outputTokens: 0 };
  const loop = async (loopIndex: number): Promise<void> => {
    while (!signal.aborted) {
      const line = tally.started++;
      const request: ChatRequest = {
        model,
        messages: [{ role: 'user', content: `Summarise this, line ${line} of loop ${loopIndex}: ${fillerText(`batch-${line}`, promptWords)}` }],
        sampling: { temperature: 0 },
        stop: [],
        maxTokens: batchTokens,
      };
      try {
        for await (const event of server.pool.generate(request, { signal, priority: 'batch', onUsage: (usage) => (tally.outputTokens += usage.outputTokens ?? 0) })) void event;
        tally.finished++;
      } catch (error) {
        if (error instanceof PreemptedError) tally.preempted++;
        else if (!signal.aborted) throw error;
      }
    }
  };
  return { tally, done: Promise.all(Array.from({ length: parallel }, (_, index) => loop(index))).then(() => undefined) };
}

/** Streams one greedy reply; milliseconds to its first token, of the answer or of a thought. */
async function firstTokenMs(target: ChatTarget, question: string): Promise<number> {
  const sentAt = performance.now();
  let firstAt: number | undefined;
  const stream = await target.client.chat.completions.create({ model: target.model, messages: [{ role: 'user', content: question }], max_tokens: liveTokens, temperature: 0, stream: true });
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string | null } | undefined;
    if (delta?.content || delta?.reasoning_content) firstAt ??= performance.now();
  }
  if (firstAt === undefined) throw new Error('the stream carried no token');
  return firstAt - sentAt;
}

/** Resolves once `condition` holds, checking every 5 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const server = await startServer(
  loadServerConfig(
    {
      model: await benchModelPath(),
      port: '0',
      parallel: String(parallel),
      ctx: '2048',
      threads: values.threads,
      gpu: values.gpu,
    },
    {},
  ),
  { logger: pino({ level: 'silent' }), print: () => {} },
);
try {
  const model = server.catalog[0]?.name ?? '';
  const target: ChatTarget = { client: chatClient(server.url), model };
  const stats = () => server.pool.modelStats()[0];
  let liveIndex = 0;
  /** One live stream at a time; with batch work, each sent once batch lines hold every sequence again. */
  const liveTtfts = async (batch: boolean): Promise<number[]> => {
    const ttfts: number[] = [];
    for (let request = 0; request < liveRequests; request++) {
      if (batch) await until(() => stats()?.batchRunning === parallel);
      const question = `Live question ${liveIndex++}: ${fillerText(`live-${liveIndex}`, promptWords)}`;
      ttfts.push(await firstTokenMs(target, question));
    }
    return ttfts;
  };

  await firstTokenMs(target, 'Warm up.');
  const alone: number[] = [];
  const beside: number[] = [];
  const tallies: { tally: BatchTally; seconds: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const withBatch of round % 2 === 0 ? [false, true] : [true, false]) {
      if (!withBatch) {
        alone.push(...(await liveTtfts(false)));
        console.error(`round ${round + 1}/${rounds}: live alone done`);
        continue;
      }
      const stop = new AbortController();
      const batch = runBatchWork(server, model, stop.signal);
      const startedAt = performance.now();
      beside.push(...(await liveTtfts(true)));
      stop.abort();
      await batch.done;
      tallies.push({ tally: batch.tally, seconds: (performance.now() - startedAt) / 1000 });
      console.error(`round ${round + 1}/${rounds}: live beside batch work done (${batch.tally.preempted} lines preempted)`);
    }
  }

  const summary = (ttfts: number[]) => ({ p50: Math.round(median(ttfts)), p95: Math.round(percentile(ttfts, 95)) });
  const [without, withBatch] = [summary(alone), summary(beside)];
  const batchTotals = tallies.reduce(
    (sum, { tally, seconds }) => ({ finished: sum.finished + tally.finished, preempted: sum.preempted + tally.preempted, tokens: sum.tokens + tally.outputTokens, seconds: sum.seconds + seconds }),
    { finished: 0, preempted: 0, tokens: 0, seconds: 0 },
  );
  console.log(
    JSON.stringify({
      parallel,
      threads: values.threads,
      gpu: values.gpu,
      liveRequests: alone.length,
      liveTokens,
      promptWords,
      ttftMs: { withoutBatch: without, withBatch },
      batch: { linesFinished: batchTotals.finished, linesPreempted: batchTotals.preempted, tokensPerSecond: Number((batchTotals.tokens / batchTotals.seconds).toFixed(1)) },
    }),
  );
  console.log(
    `live time to first token, with batch work holding every sequence / without: p50 ${(withBatch.p50 / without.p50).toFixed(2)}× (${withBatch.p50} / ${without.p50} ms), ` +
      `p95 ${(withBatch.p95 / without.p95).toFixed(2)}× (${withBatch.p95} / ${without.p95} ms)`,
  );
} finally {
  await server.close();
}
