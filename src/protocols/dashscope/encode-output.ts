// The native wire's `output` object in either result format, for a body or one stream packet.
import type { FinishReason, TokenLogprob } from '../../core/generation-event.js';
import { encodeTokenLogprobs } from '../encode-logprobs.js';
import { encodeToolCall, type IndexedToolCall } from '../encode-tool-call.js';
import type { ResultFormat } from './decode-generation-request.js';

/** While a stream runs, Model Studio sends the string "null", not JSON null. */
export type DashScopeFinishReason = 'stop' | 'length' | 'tool_calls' | 'null';

/** What one message carries: the whole answer in a body, a piece or the answer so far in a stream packet. */
export interface AnswerParts {
  readonly content: string;
  /** `reasoning_content`, left out when undefined: only a model that thought sends the key. */
  readonly reasoning: string | undefined;
  readonly toolCalls: readonly IndexedToolCall[];
}

/** One entry of `output.choices`. */
export interface OutputChoice {
  /** Left out when undefined (PROTOCOL §5.1: present when n > 1). */
  readonly index: number | undefined;
  readonly answer: AnswerParts;
  /** Left out when undefined: only a request that asked for them gets the key. */
  readonly logprobs: readonly TokenLogprob[] | undefined;
  readonly finishReason: DashScopeFinishReason;
}

export function mapFinishReason(reason: FinishReason | undefined): DashScopeFinishReason {
  switch (reason?.unified) {
    case undefined:
      return 'null';
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

/** `role` and a string `content` are in every message: dashscope-py requires role, the Java SDK types content as a string. */
function encodeMessage({ content, reasoning, toolCalls }: AnswerParts): object {
  return {
    role: 'assistant',
    content,
    ...(reasoning === undefined ? {} : { reasoning_content: reasoning }),
    ...(toolCalls.length === 0 ? {} : { tool_calls: toolCalls.map(encodeToolCall) }),
  };
}

function encodeChoice({ index, answer, logprobs, finishReason }: OutputChoice): object {
  return {
    ...(index === undefined ? {} : { index }),
    message: encodeMessage(answer),
    finish_reason: finishReason,
    ...(logprobs === undefined ? {} : { logprobs: { content: encodeTokenLogprobs(logprobs) } }),
  };
}

/**
 * The text format has room for one answer's text only: tools, thinking, several answers and
 * log-probabilities require the message format, so the decoder lets only one choice through.
 */
export function encodeOutput(format: ResultFormat, choices: readonly OutputChoice[]): object {
  if (format === 'message') return { choices: choices.map(encodeChoice) };
  const [first] = choices;
  return { text: first?.answer.content ?? '', finish_reason: first?.finishReason ?? 'null' };
}
