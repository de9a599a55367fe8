// The measured workloads: one stream at a time, bursts of concurrent streams, and chats that share one system prompt.
import { fillerText } from './filler-text.js';
import { median, percentile } from './stats.js';
import { decodeTokensPerSecond, streamChat, timeToFirstTokenMs, type ChatMessage, type ChatTarget, type StreamTiming } from './stream-timing.js';

export interface WorkloadPlan {
  /** Streams one after another; the result is the median run. */
  readonly singleStream: { readonly runs: number; readonly maxTokens: number };
  /** For each entry of `streams`, that many requests sent at once, each with its own prompt. */
  readonly concurrency: { readonly streams: readonly number[]; readonly promptWords: number; readonly maxTokens: number };
  /** Conversations run at the same time; each turn sends the system prompt, the history and a new user message. */
  readonly chat: {
    readonly conversations: number;
    readonly turns: number;
    readonly systemWords: number;
    readonly userWords: number;
    readonly maxTokens: number;
  };
}

export const FULL_PLAN: WorkloadPlan = {
  singleStream: { runs: 3, maxTokens: 128 },
  concurrency: { streams: [1, 2, 4, 8, 16], promptWords: 112, maxTokens: 64 },
  chat: { conversations: 8, turns: 3, systemWords: 400, userWords: 32, maxTokens: 64 },
};

/** A smoke test of the harness, not a measurement. */
export const QUICK_PLAN: WorkloadPlan = {
  singleStream: { runs: 1, maxTokens: 16 },
  concurrency: { streams: [1, 2], promptWords: 32, maxTokens: 8 },
  chat: { conversations: 1, turns: 2, systemWords: 100, userWords: 16, maxTokens: 8 },
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

export interface WorkloadResults {
  readonly singleStream: SingleStreamResult;
  readonly concurrency: readonly BurstResult[];
  readonly chat: ChatResult;
}

const sum = (numbers: readonly number[]): number => numbers.reduce((total, value) => total + value, 0);

async function measureSingleStream(target: ChatTarget, plan: WorkloadPlan['singleStream']): Promise<SingleStreamResult> {
  const timings: StreamTiming[] = [];
  for (let run = 0; run < plan.runs; run++) {
    const prompt = `Story ${run + 1}: write a long story about a lighthouse keeper.`;
    timings.push(await streamChat(target, [{ role: 'user', content: prompt }], plan.maxTokens));
  }
  return {
    promptTokens: median(timings.map((timing) => timing.promptTokens)),
    completionTokens: median(timings.map((timing) => timing.completionTokens)),
    ttftMs: median(timings.map(timeToFirstTokenMs)),
    decodeTokensPerSecond: median(timings.map(decodeTokensPerSecond)),
  };
}

async function measureBurst(target: ChatTarget, streams: number, plan: WorkloadPlan['concurrency']): Promise<BurstResult> {
  const timings = await Promise.all(
    Array.from({ length: streams }, (_, index) => {
      const label = `Request ${streams}.${index + 1}`;
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

async function measureChat(target: ChatTarget, plan: WorkloadPlan['chat']): Promise<ChatResult> {
  const systemPrompt = `You are a helpful assistant. ${fillerText('system prompt', plan.systemWords)}`;
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

/** One short request first, so that neither server is measured cold. */
export async function runWorkloads(target: ChatTarget, plan: WorkloadPlan, progress: (step: string) => void): Promise<WorkloadResults> {
  await streamChat(target, [{ role: 'user', content: 'Warm up.' }], 4);
  progress('single stream');
  const singleStream = await measureSingleStream(target, plan.singleStream);
  const concurrency: BurstResult[] = [];
  for (const streams of plan.concurrency.streams) {
    progress(`${streams}-stream burst`);
    concurrency.push(await measureBurst(target, streams, plan.concurrency));
  }
  progress(`chat: ${plan.chat.conversations} × ${plan.chat.turns} turns`);
  const chat = await measureChat(target, plan.chat);
  return { singleStream, concurrency, chat };
}
