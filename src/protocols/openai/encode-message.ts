// The assistant message of a chat.completion body.
import type { CollectedGeneration } from '../../core/collect-generation.js';
import { encodeToolCall, indexToolCalls } from '../encode-tool-call.js';

/** `content` stays a string (`""` when the model only called tools); the other keys appear only when used. */
export function encodeMessage(generation: CollectedGeneration): object {
  return {
    role: 'assistant',
    content: generation.text,
    ...(generation.reasoning === '' ? {} : { reasoning_content: generation.reasoning }),
    ...(generation.toolCalls.length === 0 ? {} : { tool_calls: indexToolCalls(generation.toolCalls).map(encodeToolCall) }),
  };
}
