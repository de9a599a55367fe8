// The token loop of one reply: samples, decodes, splits reasoning, answer and tool calls, and applies every stop rule.
import { randomBytes } from 'node:crypto';
import type { LlamaContextSequence, LlamaGrammarEvaluationState, SequenceEvaluateOptions, Token } from 'node-llama-cpp';
import type { SamplingOptions } from '../../core/chat-request.js';
import { ClientAbortedError } from '../../core/errors.js';
import type { FinishReason, GenerationEvent } from '../../core/generation-event.js';
import { isCompleteJson } from '../../lib/is-complete-json.js';
import { MarkerSplitter } from '../../lib/marker-splitter.js';
import type { PromptPlan } from './chat-prompt.js';
import { ResponseParser, type ResponsePart, type ResponseTags } from './response-parser.js';
import { TokenTextDecoder } from './token-text-decoder.js';

export interface ReplyOptions {
  readonly sequence: LlamaContextSequence;
  readonly plan: PromptPlan;
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
  /** Most reasoning tokens before the thought is closed for the model. */
  readonly thinkingBudget: number | undefined;
  /** Tokens that end a thought (`\n</think>\n\n` for Qwen), written when the budget is spent. */
  readonly thinkCloseTokens: readonly Token[];
  /** Stop after the first complete tool call. */
  readonly singleToolCall: boolean;
  readonly signal: AbortSignal;
}

/** llama.cpp seeds are 32-bit; wires allow larger ones, which wrap around. */
const SEED_RANGE = 2 ** 32;
const NO_TAGS: ResponseTags = { thinkOpen: '', thinkClose: '', toolCallOpen: '', toolCallClose: '' };

/**
 * Unset controls are off (node-llama-cpp would otherwise apply its own top-k 40 and top-p 0.95).
 * Penalties look at what this request generated, as the OpenAI and Model Studio APIs describe them.
 */
function evaluateOptions(sampling: SamplingOptions, generated: readonly Token[], grammar: LlamaGrammarEvaluationState | undefined): SequenceEvaluateOptions {
  const { repetitionPenalty, presencePenalty, frequencyPenalty } = sampling;
  const penalized = repetitionPenalty !== undefined || presencePenalty !== undefined || frequencyPenalty !== undefined;
  return {
    temperature: sampling.temperature ?? 0,
    topP: sampling.topP ?? 1,
    topK: sampling.topK ?? 0,
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
  const { plan, signal } = options;
  const tags = options.tags ?? NO_TAGS;
  const decoder = new TokenTextDecoder(options.detokenize);
  const parser = new ResponseParser(tags, { initialState: plan.initialState, thinking: plan.thinking, tools: plan.toolsOffered });
  const stops = new MarkerSplitter(options.stop);
  const generated: Token[] = [];
  let reasoningTokens = 0;
  let toolCalls = 0;
  /** Set when a stop sequence, or the one tool call allowed, ends the reply. */
  let finishReason: FinishReason | undefined;

  function* events(parts: readonly ResponsePart[]): Generator<GenerationEvent> {
    const outputTokens = generated.length;
    for (const part of parts) {
      if (finishReason !== undefined) return;
      if (part.type === 'reasoning') {
        yield { type: 'reasoning-delta', delta: part.text, outputTokens };
      } else if (part.type === 'tool-call') {
        yield { type: 'tool-call', index: toolCalls++, call: { id: toolCallId(), ...part.call }, outputTokens };
        if (options.singleToolCall) finishReason = { unified: 'tool-calls', raw: 'tool-call' };
      } else {
        for (const piece of stops.push(part.text)) {
          if ('marker' in piece) {
            finishReason = { unified: 'stop', raw: 'stop-sequence' };
            return;
          }
          yield { type: 'text-delta', delta: piece.text, outputTokens };
        }
      }
    }
  }

  const iterator = options.sequence.evaluate(plan.tokens, evaluateOptions(options.sampling, generated, options.grammar));
  let limit: FinishReason | undefined;
  let endedBy = 'eog';
  let jsonText = '';
  try {
    let replacement: Token[] | undefined;
    while (finishReason === undefined && limit === undefined) {
      const next = await iterator.next(replacement);
      if (signal.aborted) throw new ClientAbortedError();
      if (next.done === true) break;
      const budgetSpent = parser.state === 'reasoning' && options.thinkingBudget !== undefined && reasoningTokens >= options.thinkingBudget;
      // Past the budget the sampled token is dropped and the thought is closed instead.
      replacement = budgetSpent ? [...options.thinkCloseTokens] : undefined;
      const tokens = replacement ?? [next.value];
      if (parser.state === 'reasoning' && !budgetSpent) reasoningTokens += tokens.length;
      generated.push(...tokens);
      const text = tokens.map((token) => decoder.push(token)).join('');
      yield* events(parser.push(text));
      if (options.grammar !== undefined && isCompleteJson((jsonText += text))) {
        endedBy = 'json-complete';
        break;
      }
      if (generated.length >= options.maxTokens) limit = { unified: 'length', raw: options.limitedByContext ? 'context-full' : 'max-tokens' };
    }
  } finally {
    await iterator.return();
  }
  if (signal.aborted) throw new ClientAbortedError();

  if (finishReason === undefined) {
    // A call the prompt opened ends with its grammar's JSON; its closing tag is written here.
    const closing = limit === undefined && plan.initialState === 'tool-call' && parser.state === 'tool-call' ? tags.toolCallClose : '';
    yield* events([...parser.push(decoder.flush() + closing), ...parser.end()]);
    const rest = stops.flush();
    if (finishReason === undefined && rest !== '') yield { type: 'text-delta', delta: rest, outputTokens: generated.length };
  }
  const reason: FinishReason = finishReason ?? limit ?? { unified: 'stop', raw: endedBy };
  yield { type: 'finish', finishReason: toolCalls > 0 && reason.unified !== 'length' ? { unified: 'tool-calls', raw: reason.raw } : reason };
  yield {
    type: 'usage',
    usage: { inputTokens: plan.tokens.length, outputTokens: generated.length, ...(plan.thinking ? { reasoningTokens } : {}) },
  };
}
