// Maps the neutral finish reason onto the OpenAI wire's `finish_reason` values.
import type { FinishReason } from '../../core/generation-event.js';

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function mapFinishReason(reason: FinishReason): OpenAIFinishReason {
  switch (reason.unified) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    case 'stop':
    case 'error':
    case 'other':
      return 'stop';
  }
}
