// The assistant message of one choice of a chat.completion body.
import type { CollectedChoice } from '../../core/collect-generation.js';
import { encodeToolCall, indexToolCalls } from '../encode-tool-call.js';

/** `content` stays a string (`""` when the model only called tools); the other keys appear only when used. */
export function encodeMessage(choice: CollectedChoice): object {
  return {
    role: 'assistant',
    content: choice.text,
    ...(choice.reasoning === '' ? {} : { reasoning_content: choice.reasoning }),
    ...(choice.toolCalls.length === 0 ? {} : { tool_calls: indexToolCalls(choice.toolCalls).map(encodeToolCall) }),
  };
}
