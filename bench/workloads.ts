// The measured workloads: one stream at a time, bursts of concurrent streams, and chats that share one system prompt.
// Each runs on both servers in turn, so that a machine that speeds up or slows down over minutes moves both alike.
import { fillerText } from './filler-text.js';
import { median, percentile } from './stats.js';
import { decodeTokensPerSecond, streamChat, timeToFirstTokenMs, type ChatMessage, type ChatTarget, type StreamSampling, type StreamTiming } from './stream-timing.js';

export interface WorkloadPlan {
  /** Streams one after another, greedy; the result is the median run. */
  readonly singleStream: { readonly runs: number; readonly maxTokens: number };
  /** The same, sampled from the whole vocabulary (`SAMPLED`): what the sampling chain costs a token beside the model. */
  readonly sampledStream: { readonly runs: number; readonly maxTokens: number };
  /** For each entry of `streams`, that many requests sent at once, each with its own prompt, `rounds` times; the result is the median. */
  readonly concurrency: { readonly streams: readonly number[]; readonly rounds: number; readonly promptWords: number; readonly maxTokens: number };
  /**
   * Conversations run at the same time; each turn sends the system prompt, the history and a new user message.
   * `rounds` times, each round with a system prompt of its own; the result is the median.
   */
  readonly chat: {
    readonly rounds: number;
    readonly conversations: number;
    readonly turns: number;
    readonly systemWords: number;
    readonly userWords: number;
    readonly maxTokens: number;
  };
}

export const FULL_PLAN: WorkloadPlan = {
  singleStream: { runs: 7, maxTokens: 128 },
  sampledStream: { runs: 5, maxTokens: 128 },
  concurrency: { streams: [1, 2, 4, 8, 16], rounds: 5, promptWords: 112, maxTokens: 64 },
  chat: { rounds: 3, conversations: 8, turns: 3, systemWords: 400, userWords: 32, maxTokens: 64 },
};

/** A smoke test of the harness, not a measurement. */
export const QUICK_PLAN: WorkloadPlan = {
  singleStream: { runs: 1, maxTokens: 16 },
  sampledStream: { runs: 1, maxTokens: 16 },
  concurrency: { streams: [1, 2], rounds: 1, promptWords: 32, maxTokens: 8 },
  chat: { rounds: 1, conversations: 1, turns: 2, systemWords: 100, userWords: 16, maxTokens: 8 },
};

export interface SingleStreamResult {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly ttftMs: number;
  readonly decodeTokensPerSecond: number;
}

export interface BurstResult {
  readonly streams: number;
  readonly promptTokensPerStream: number;
  readonly completionTokens: number;
  /** Tokens after each stream's first, over the time from the earliest first token to the latest last one. */
  readonly decodeTokensPerSecond: number;
  readonly ttftP50Ms: number;
  readonly ttftP95Ms: number;
}

export interface ChatResult {
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly wallMs: number;
  /** Completion tokens over the wall time. */
  readonly tokensPerSecond: number;
  readonly ttftP50Ms: number;
  readonly ttftP95Ms: number;
}

/**
 * Top-k, top-p and min-p (llama-server's default 0.05; Studio has none) off, so every one of the vocabulary's ~152k
 * tokens stays a candidate on every token.
 */
export const SAMPLED: Omit<StreamSampling, 'seed'> = { temperature: 0.7, top_p: 1, top_k: 0, min_p: 0 };

export interface WorkloadResults {
  readonly singleStream: SingleStreamResult;
  readonly sampledStream: SingleStreamResult;
  readonly concurrency: readonly BurstResult[];
  readonly chat: ChatResult;
}

/**
 * The aggregate decode tokens/s of `streams` sequences decoding together with nothing around the model (no sampling,
 * no HTTP), each after a prompt and for a reply of the given lengths; undefined where that cannot be measured.
 */
export type BurstCeiling = (streams: number, promptTokens: number, generatedTokens: number) => Promise<number | undefined>;

export interface BurstCeilingResult {
  readonly streams: number;
  /** The median over the rounds, each measured right after the servers' turn in that round. */
  readonly decodeTokensPerSecond: number;
}

const sum = (numbers: readonly number[]): number => numbers.reduce((total, value) => total + value, 0);

/** Studio's and llama-server's, in that order. */
export type Pair<T> = readonly [T, T];

/**
 * Measures each target `rounds` times, the other one first every second round; each target's results in order.
 * `afterRound` runs after both targets' turn in a round, with their results.
 */
async function alternate<T>(
  targets: Pair<ChatTarget>,
  rounds: number,
  measure: (target: ChatTarget, round: number) => Promise<T>,
  afterRound: (results: Pair<T>) => Promise<void> = async () => {},
): Promise<Pair<T[]>> {
  const results: [T[], T[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
      results[index]?.push(await measure(targets[index] as ChatTarget, round));
    }
    await afterRound([results[0][round] as T, results[1][round] as T]);
  }
  return results;
}

function summarizeSingleStream(timings: readonly StreamTiming[]): SingleStreamResult {
  return {
    promptTokens: median(timings.map((timing) => timing.promptTokens)),
    completionTokens: median(timings.map((timing) => timing.completionTokens)),
    ttftMs: median(timings.map(timeToFirstTokenMs)),
    decodeTokensPerSecond: median(timings.map(decodeTokensPerSecond)),
  };
}

async function measureSingleStream(
  targets: Pair<ChatTarget>,
  plan: WorkloadPlan['singleStream'],
  sampling?: (run: number) => StreamSampling,
): Promise<Pair<SingleStreamResult>> {
  const [studio, llamaServer] = await alternate(targets, plan.runs, (target, run) =>
    streamChat(target, [{ role: 'user', content: `Story ${run + 1}: write a long story about a lighthouse keeper.` }], plan.maxTokens, sampling?.(run)),
  );
  return [summarizeSingleStream(studio), summarizeSingleStream(llamaServer)];
}

async function measureBurst(target: ChatTarget, streams: number, round: number, plan: WorkloadPlan['concurrency']): Promise<BurstResult> {
  const timings = await Promise.all(
    Array.from({ length: streams }, (_, index) => {
      const label = `Request ${streams}.${index + 1}, round ${round + 1}`;
      return streamChat(target, [{ role: 'user', content: `${label}: ${fillerText(label, plan.promptWords)}` }], plan.maxTokens);
    }),
  );
  const decodeMs = Math.max(...timings.map((timing) => timing.lastTokenAt)) - Math.min(...timings.map((timing) => timing.firstTokenAt));
  const ttfts = timings.map(timeToFirstTokenMs);
  return {
    streams,
    promptTokensPerStream: median(timings.map((timing) => timing.promptTokens)),
    completionTokens: sum(timings.map((timing) => timing.completionTokens)),
    decodeTokensPerSecond: sum(timings.map((timing) => timing.completionTokens - 1)) / (decodeMs / 1000),
    ttftP50Ms: percentile(ttfts, 50),
    ttftP95Ms: percentile(ttfts, 95),
  };
}

async function converse(target: ChatTarget, conversation: number, systemPrompt: string, plan: WorkloadPlan['chat']): Promise<StreamTiming[]> {
  const history: ChatMessage[] = [{ role: 'system', content: systemPrompt }];
  const timings: StreamTiming[] = [];
  for (let turn = 1; turn <= plan.turns; turn++) {
    const label = `Conversation ${conversation}, question ${turn}`;
    history.push({ role: 'user', content: `${label}: ${fillerText(label, plan.userWords)}` });
    const timing = await streamChat(target, [...history], plan.maxTokens);
    history.push({ role: 'assistant', content: timing.content });
    timings.push(timing);
  }
  return timings;
}

async function measureChat(target: ChatTarget, round: number, plan: WorkloadPlan['chat']): Promise<ChatResult> {
  const systemPrompt = `You are a helpful assistant. ${fillerText(`system prompt ${round + 1}`, plan.systemWords)}`;
  const startedAt = performance.now();
  const conversations = await Promise.all(Array.from({ length: plan.conversations }, (_, index) => converse(target, index + 1, systemPrompt, plan)));
  const wallMs = performance.now() - startedAt;
  const timings = conversations.flat();
  const completionTokens = sum(timings.map((timing) => timing.completionTokens));
  const ttfts = timings.map(timeToFirstTokenMs);
  return {
    requests: timings.length,
    promptTokens: sum(timings.map((timing) => timing.promptTokens)),
    completionTokens,
    wallMs,
    tokensPerSecond: completionTokens / (wallMs / 1000),
    ttftP50Ms: percentile(ttfts, 50),
    ttftP95Ms: percentile(ttfts, 95),
  };
}

/** Each number the median of that number over the rounds. */
function medianOfRounds<T extends Record<keyof T, number>>(rounds: readonly T[]): T {
  const [first] = rounds;
  if (first === undefined) throw new Error('no rounds to take the median of');
  return Object.fromEntries(Object.keys(first).map((key) => [key, median(rounds.map((round) => round[key as keyof T]))])) as T;
}

/**
 * One short request to each first, so that neither server is measured cold; then every workload on both, in turn.
 * Each round of a burst is followed by its ceiling, so that all three are measured on the machine as it is then.
 */
export async function runWorkloads(
  targets: Pair<ChatTarget>,
  plan: WorkloadPlan,
  burstCeiling: BurstCeiling,
  progress: (step: string) => void,
): Promise<{ readonly servers: Pair<WorkloadResults>; readonly burstCeilings: readonly BurstCeilingResult[] }> {
  for (const target of targets) await streamChat(target, [{ role: 'user', content: 'Warm up.' }], 4);
  progress('single stream');
  const singleStream = await measureSingleStream(targets, plan.singleStream);
  progress('single stream, sampled');
  const sampledStream = await measureSingleStream(targets, plan.sampledStream, (run) => ({ ...SAMPLED, seed: run + 1 }));
  const concurrency: [BurstResult[], BurstResult[]] = [[], []];
  const burstCeilings: BurstCeilingResult[] = [];
  for (const streams of plan.concurrency.streams) {
    progress(`${streams}-stream burst`);
    const ceilings: number[] = [];
    const [studio, llamaServer] = await alternate(
      targets,
      plan.concurrency.rounds,
      (target, round) => measureBurst(target, streams, round, plan.concurrency),
      async ([burst]) => {
        const ceiling = await burstCeiling(streams, burst.promptTokensPerStream, plan.concurrency.maxTokens);
        if (ceiling !== undefined) ceilings.push(ceiling);
      },
    );
    concurrency[0].push(medianOfRounds(studio));
    concurrency[1].push(medianOfRounds(llamaServer));
    if (ceilings.length > 0) burstCeilings.push({ streams, decodeTokensPerSecond: median(ceilings) });
  }
  progress(`chat: ${plan.chat.conversations} × ${plan.chat.turns} turns`);
  const [studioChat, llamaServerChat] = await alternate(targets, plan.chat.rounds, (target, round) => measureChat(target, round, plan.chat));
  return {
    servers: [
      { singleStream: singleStream[0], sampledStream: sampledStream[0], concurrency: concurrency[0], chat: medianOfRounds(studioChat) },
      { singleStream: singleStream[1], sampledStream: sampledStream[1], concurrency: concurrency[1], chat: medianOfRounds(llamaServerChat) },
    ],
    burstCeilings,
  };
}
