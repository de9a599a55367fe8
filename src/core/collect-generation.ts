// Folds an engine's events into the whole answer, for wires that reply in one body.
import type { FinishReason, GenerationEvent, Usage } from './generation-event.js';

export interface CollectedGeneration {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly usage: Usage;
}

export async function collectGeneration(events: AsyncIterable<GenerationEvent>): Promise<CollectedGeneration> {
  let text = '';
  let finishReason: FinishReason = { unified: 'other', raw: undefined };
  let usage: Usage = { inputTokens: undefined, outputTokens: undefined };
  for await (const event of events) {
    if (event.type === 'text-delta') text += event.delta;
    else if (event.type === 'finish') finishReason = event.finishReason;
    else if (event.type === 'usage') usage = event.usage;
  }
  return { text, finishReason, usage };
}
