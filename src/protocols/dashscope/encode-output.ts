// The native wire's `output` object in either result format, for a body or one stream packet.
import type { FinishReason } from '../../core/generation-event.js';
import type { ResultFormat } from './decode-generation-request.js';

/** While a stream runs, Model Studio sends the string "null", not JSON null. */
export type DashScopeFinishReason = 'stop' | 'length' | 'tool_calls' | 'null';

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

/** `role` is in every message: dashscope-py builds its Message objects with role as a required argument. */
export function encodeOutput(format: ResultFormat, text: string, finishReason: DashScopeFinishReason): object {
  if (format === 'text') return { text, finish_reason: finishReason };
  return { choices: [{ message: { role: 'assistant', content: text }, finish_reason: finishReason }] };
}
