// Folds an engine's events into the whole answer, for wires that reply in one body.
import type { ToolCall } from './chat-request.js';
import type { FinishReason, GenerationEvent, Usage } from './generation-event.js';

export interface CollectedGeneration {
  readonly text: string;
  /** The model's thinking, '' when it did not think. */
  readonly reasoning: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: FinishReason;
  readonly usage: Usage;
}

export async function collectGeneration(events: AsyncIterable<GenerationEvent>): Promise<CollectedGeneration> {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  let finishReason: FinishReason = { unified: 'other', raw: undefined };
  let usage: Usage = { inputTokens: undefined, outputTokens: undefined };
  for await (const event of events) {
    if (event.type === 'text-delta') text += event.delta;
    else if (event.type === 'reasoning-delta') reasoning += event.delta;
    else if (event.type === 'tool-call') toolCalls.push(event.call);
    else if (event.type === 'finish') finishReason = event.finishReason;
    else if (event.type === 'usage') usage = event.usage;
  }
  return { text, reasoning, toolCalls, finishReason, usage };
}
