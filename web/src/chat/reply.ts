// An assistant's reply as its stream's chunks build it: text, reasoning, tool calls, finish reason and usage.
import type { ChatChunk, WireUsage } from './chat-chunks.js';

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export interface Reply {
  readonly content: string;
  readonly reasoning: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason?: string;
  readonly usage?: WireUsage;
}

export const EMPTY_REPLY: Reply = { content: '', reasoning: '', toolCalls: [] };

/** Whether the chunk carries generated output, as opposed to the role or the usage alone. */
export function carriesOutput(chunk: ChatChunk): boolean {
  return chunk.choices.some(({ delta }) => (delta.content ?? '') !== '' || (delta.reasoning_content ?? '') !== '' || (delta.tool_calls?.length ?? 0) > 0);
}

/** Only the first choice is shown; the Playground never asks for `n` > 1. */
export function applyChunk(reply: Reply, chunk: ChatChunk): Reply {
  let next = chunk.usage == null ? reply : { ...reply, usage: chunk.usage };
  const choice = chunk.choices.find((candidate) => candidate.index === 0);
  if (choice === undefined) return next;
  const { delta } = choice;
  next = {
    ...next,
    content: next.content + (delta.content ?? ''),
    reasoning: next.reasoning + (delta.reasoning_content ?? ''),
    ...(choice.finish_reason == null ? {} : { finishReason: choice.finish_reason }),
  };
  for (const call of delta.tool_calls ?? []) {
    const calls = [...next.toolCalls];
    const before = calls[call.index] ?? { id: '', name: '', arguments: '' };
    calls[call.index] = {
      id: call.id ?? before.id,
      name: before.name + (call.function?.name ?? ''),
      arguments: before.arguments + (call.function?.arguments ?? ''),
    };
    next = { ...next, toolCalls: calls };
  }
  return next;
}
