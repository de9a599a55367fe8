// The native wire's `output` object in either result format, for a body or one stream packet.
import type { FinishReason } from '../../core/generation-event.js';
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

/** The text format has room for the answer's text only; tools and thinking require the message format. */
export function encodeOutput(format: ResultFormat, answer: AnswerParts, finishReason: DashScopeFinishReason): object {
  if (format === 'text') return { text: answer.content, finish_reason: finishReason };
  return { choices: [{ message: encodeMessage(answer), finish_reason: finishReason }] };
}
