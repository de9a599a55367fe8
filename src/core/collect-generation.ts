// Folds an engine's events into whole answers, for wires that reply in one body.
import type { ToolCall } from './chat-request.js';
import type { FinishReason, GenerationEvent, TokenLogprob, Usage } from './generation-event.js';

export interface CollectedChoice {
  readonly text: string;
  /** The model's thinking, '' when it did not think. */
  readonly reasoning: string;
  readonly toolCalls: readonly ToolCall[];
  /** Undefined unless the request asked for logprobs. */
  readonly logprobs: readonly TokenLogprob[] | undefined;
  readonly finishReason: FinishReason;
}

export interface CollectedGeneration {
  /** One per answer, in `choice` order. */
  readonly choices: readonly CollectedChoice[];
  readonly usage: Usage;
}

interface MutableChoice {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  logprobs: TokenLogprob[] | undefined;
  finishReason: FinishReason;
}

export async function collectGeneration(events: AsyncIterable<GenerationEvent>): Promise<CollectedGeneration> {
  const choices: MutableChoice[] = [];
  const choice = (index: number): MutableChoice =>
    (choices[index] ??= { text: '', reasoning: '', toolCalls: [], logprobs: undefined, finishReason: { unified: 'other', raw: undefined } });
  let usage: Usage = { inputTokens: undefined, outputTokens: undefined };
  for await (const event of events) {
    if (event.type === 'text-delta') choice(event.choice).text += event.delta;
    else if (event.type === 'reasoning-delta') choice(event.choice).reasoning += event.delta;
    else if (event.type === 'tool-call') choice(event.choice).toolCalls.push(event.call);
    else if (event.type === 'logprobs') (choice(event.choice).logprobs ??= []).push(...event.content);
    else if (event.type === 'finish') choice(event.choice).finishReason = event.finishReason;
    else if (event.type === 'usage') usage = event.usage;
  }
  return { choices: choices.length === 0 ? [choice(0)] : choices, usage };
}
