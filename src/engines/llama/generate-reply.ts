// The token loop of one answer: samples, decodes, splits reasoning, answer and tool calls, and applies every stop rule.
import { randomBytes } from 'node:crypto';
import type { LlamaContextSequence, LlamaGrammarEvaluationState, SequenceEvaluateOptions, Token } from 'node-llama-cpp';
import type { SamplingOptions } from '../../core/chat-request.js';
import { ClientAbortedError } from '../../core/errors.js';
import type { FinishReason, GenerationEvent, TokenLogprob } from '../../core/generation-event.js';
import { isCompleteJson } from '../../lib/is-complete-json.js';
import { MarkerSplitter } from '../../lib/marker-splitter.js';
import type { PromptPlan } from './chat-prompt.js';
import { ResponseParser, type ResponsePart, type ResponseTags } from './response-parser.js';
import { tokenLogprob } from './token-logprobs.js';
import { TokenStopMatcher } from './token-stop-matcher.js';
import { TokenTextDecoder } from './token-text-decoder.js';

/** Counts shared by the answers of one request, for running usage totals. */
export interface ReplyCounters {
  outputTokens: number;
  reasoningTokens: number;
}

export interface ReplyOptions {
  readonly choice: number;
  readonly sequence: LlamaContextSequence;
  readonly plan: PromptPlan;
  /** What the sequence still has to evaluate of the prompt (the rest may be in its cache already). */
  readonly evaluate: readonly Token[];
  readonly tags: ResponseTags | undefined;
  readonly detokenize: (tokens: readonly Token[]) => string;
  readonly sampling: SamplingOptions;
  /** Shapes the whole reply as one JSON value, when the request forces one. */
  readonly grammar: LlamaGrammarEvaluationState | undefined;
  /** Most tokens to generate: the request's limit, or what is left of the context. */
  readonly maxTokens: number;
  /** True when `maxTokens` is the room left in the context rather than the request's own limit. */
  readonly limitedByContext: boolean;
  readonly stop: readonly string[];
  readonly stopTokens: readonly (readonly number[])[];
  /** Report logprobs with this many alternatives; undefined: none. */
  readonly topLogprobs: number | undefined;
  /** Most reasoning tokens before the thought is closed for the model. */
  readonly thinkingBudget: number | undefined;
  /** Tokens that end a thought (`\n</think>\n\n` for Qwen), written when the budget is spent. */
  readonly thinkCloseTokens: readonly Token[];
  /** Stop after the first complete tool call. */
  readonly singleToolCall: boolean;
  readonly counters: ReplyCounters;
  /** Hears each finished answer's text with the tokens generated for it. */
  readonly onAnswer: (text: string, tokens: readonly Token[]) => void;
  readonly signal: AbortSignal;
  /** Awaited before each decode step: a batch line waits here while live requests head for their first token. */
  readonly beforeStep?: () => Promise<void>;
}

/** llama.cpp seeds are 32-bit; wires allow larger ones, which wrap around. */
const SEED_RANGE = 2 ** 32;
/** With logprobs and no top-k, sampling keeps this many candidates: the whole vocabulary costs ~200 ms a token to report. */
const LOGPROB_CANDIDATES = 100;
const NO_TAGS: ResponseTags = { thinkOpen: '', thinkClose: '', toolCallOpen: '', toolCallClose: '' };

/**
 * Unset controls are off (node-llama-cpp would otherwise apply its own top-k 40 and top-p 0.95).
 * Penalties look at what this answer generated, as the OpenAI and Model Studio APIs describe them.
 */
function evaluateOptions(options: ReplyOptions, generated: readonly Token[]): SequenceEvaluateOptions {
  const { sampling, grammar } = options;
  const { repetitionPenalty, presencePenalty, frequencyPenalty } = sampling;
  const penalized = repetitionPenalty !== undefined || presencePenalty !== undefined || frequencyPenalty !== undefined;
  const topK = sampling.topK ?? 0;
  return {
    temperature: sampling.temperature ?? 0,
    topP: sampling.topP ?? 1,
    topK: topK === 0 && options.topLogprobs !== undefined ? LOGPROB_CANDIDATES : topK,
    ...(sampling.seed === undefined ? {} : { seed: sampling.seed % SEED_RANGE }),
    ...(grammar === undefined ? {} : { grammarEvaluationState: grammar }),
    ...(penalized
      ? {
          repeatPenalty: {
            punishTokens: () => generated.slice(),
            penalty: repetitionPenalty ?? 1,
            presencePenalty: presencePenalty ?? 0,
            frequencyPenalty: frequencyPenalty ?? 0,
          },
        }
      : {}),
  };
}

function toolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

export async function* generateReply(options: ReplyOptions): AsyncGenerator<GenerationEvent> {
  const { plan, signal, choice, counters } = options;
  const tags = options.tags ?? NO_TAGS;
  const decoder = new TokenTextDecoder(options.detokenize);
  const parser = new ResponseParser(tags, { initialState: plan.initialState, thinking: plan.thinking, tools: plan.toolsOffered });
  const stops = new MarkerSplitter(options.stop);
  const tokenStops = new TokenStopMatcher(options.stopTokens);
  const pieceOf = (token: Token): string => options.detokenize([token]);
  const generated: Token[] = [];
  let reasoningTokens = 0;
  let toolCalls = 0;
  let answer = '';
  /** Set when a stop sequence, or the one tool call allowed, ends the answer. */
  let finishReason: FinishReason | undefined;

  function* events(parts: readonly ResponsePart[]): Generator<GenerationEvent> {
    const outputTokens = counters.outputTokens;
    for (const part of parts) {
      if (finishReason !== undefined) return;
      if (part.type === 'reasoning') {
        yield { type: 'reasoning-delta', choice, delta: part.text, outputTokens };
      } else if (part.type === 'tool-call') {
        yield { type: 'tool-call', choice, index: toolCalls++, call: { id: toolCallId(), ...part.call }, outputTokens };
        if (options.singleToolCall) finishReason = { unified: 'tool-calls', raw: 'tool-call' };
      } else {
        for (const piece of stops.push(part.text)) {
          if ('marker' in piece) {
            finishReason = { unified: 'stop', raw: 'stop-sequence' };
            return;
          }
          answer += piece.text;
          yield { type: 'text-delta', choice, delta: piece.text, outputTokens };
        }
      }
    }
  }

  const metadata = { probabilities: options.topLogprobs !== undefined };
  const iterator = options.sequence.evaluateWithMetadata([...options.evaluate], metadata, evaluateOptions(options, generated));
  let limit: FinishReason | undefined;
  let endedBy = 'eog';
  let jsonText = '';
  try {
    let replacement: Token[] | undefined;
    while (finishReason === undefined && limit === undefined) {
      if (options.beforeStep !== undefined) {
        await options.beforeStep();
        if (signal.aborted) throw new ClientAbortedError();
      }
      const next = await iterator.next(replacement);
      if (signal.aborted) throw new ClientAbortedError();
      if (next.done === true) break;
      const budgetSpent = parser.state === 'reasoning' && options.thinkingBudget !== undefined && reasoningTokens >= options.thinkingBudget;
      // Past the budget the sampled token is dropped and the thought is closed instead.
      replacement = budgetSpent ? [...options.thinkCloseTokens] : undefined;
      const sampled = replacement ?? [next.value.token];
      if (parser.state === 'reasoning' && !budgetSpent) reasoningTokens += sampled.length;
      generated.push(...sampled);
      counters.outputTokens += sampled.length;
      // Present exactly when logprobs were asked for (the metadata option above).
      const { probabilities } = next.value as { readonly probabilities?: ReadonlyMap<Token, number> };
      if (probabilities !== undefined && options.topLogprobs !== undefined && parser.state === 'answer' && replacement === undefined) {
        const content: TokenLogprob[] = [tokenLogprob(next.value.token, probabilities, options.topLogprobs, pieceOf)];
        yield { type: 'logprobs', choice, content };
      }
      const released: Token[] = [];
      let stoppedByTokens = false;
      for (const token of sampled) {
        const step = tokenStops.push(token);
        released.push(...step.release);
        stoppedByTokens ||= step.stopped;
      }
      const text = released.map((token) => decoder.push(token)).join('');
      yield* events(parser.push(text));
      if (stoppedByTokens) finishReason ??= { unified: 'stop', raw: 'stop-tokens' };
      if (options.grammar !== undefined && isCompleteJson((jsonText += text))) {
        endedBy = 'json-complete';
        break;
      }
      if (generated.length >= options.maxTokens) limit = { unified: 'length', raw: options.limitedByContext ? 'context-full' : 'max-tokens' };
    }
  } finally {
    await iterator.return();
    counters.reasoningTokens += reasoningTokens;
  }
  if (signal.aborted) throw new ClientAbortedError();

  if (finishReason === undefined) {
    // A call the prompt opened ends with its grammar's JSON; its closing tag is written here.
    const closing = limit === undefined && plan.initialState === 'tool-call' && parser.state === 'tool-call' ? tags.toolCallClose : '';
    const held = tokenStops.flush().map((token) => decoder.push(token)).join('');
    yield* events([...parser.push(held + decoder.flush() + closing), ...parser.end()]);
    const rest = stops.flush();
    if (finishReason === undefined && rest !== '') {
      answer += rest;
      yield { type: 'text-delta', choice, delta: rest, outputTokens: counters.outputTokens };
    }
  }
  options.onAnswer(answer, generated);
  const reason: FinishReason = finishReason ?? limit ?? { unified: 'stop', raw: endedBy };
  yield { type: 'finish', choice, finishReason: toolCalls > 0 && reason.unified !== 'length' ? { unified: 'tool-calls', raw: reason.raw } : reason };
}
