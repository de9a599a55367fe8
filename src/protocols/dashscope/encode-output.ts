// The native wire's `output` object in either result format, for a body or one stream packet.
import type { FinishReason, TokenLogprob } from '../../core/generation-event.js';
import { encodeTokenLogprobs } from '../encode-logprobs.js';
import { encodeToolCall, type IndexedToolCall } from '../encode-tool-call.js';
import type { OutputFormat } from './decode-generation-request.js';

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

/**
 * The multimodal endpoint's `content` is a list: `[{"text": …}]`, or `[]` for a packet that brings
 * no text (dashscope-py's stream merger skips an empty list, and indexes `content[0]["text"]` otherwise).
 */
function encodeContent(format: OutputFormat, content: string): string | object[] {
  if (format !== 'multimodal') return content;
  return content === '' ? [] : [{ text: content }];
}

/** `role` and `content` are in every message: dashscope-py requires role, the Java SDK types content as a string (a list on the multimodal endpoint). */
function encodeMessage(format: OutputFormat, { content, reasoning, toolCalls }: AnswerParts): object {
  return {
    role: 'assistant',
    content: encodeContent(format, content),
    ...(reasoning === undefined ? {} : { reasoning_content: reasoning }),
    ...(toolCalls.length === 0 ? {} : { tool_calls: toolCalls.map(encodeToolCall) }),
  };
}

function encodeChoice(format: OutputFormat, { index, answer, logprobs, finishReason }: OutputChoice): object {
  return {
    ...(index === undefined ? {} : { index }),
    message: encodeMessage(format, answer),
    finish_reason: finishReason,
    ...(logprobs === undefined ? {} : { logprobs: { content: encodeTokenLogprobs(logprobs) } }),
  };
}

/**
 * The text format has room for one answer's text only: tools, thinking, several answers and
 * log-probabilities require the message format, so the decoder lets only one choice through.
 */
export function encodeOutput(format: OutputFormat, choices: readonly OutputChoice[]): object {
  if (format !== 'text') return { choices: choices.map((choice) => encodeChoice(format, choice)) };
  const [first] = choices;
  return { text: first?.answer.content ?? '', finish_reason: first?.finishReason ?? 'null' };
}
