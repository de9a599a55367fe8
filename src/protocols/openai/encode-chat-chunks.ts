// Renders an engine's events as chat.completion.chunk objects, in the order Model Studio streams them.
import type { GenerationEvent, TokenLogprob } from '../../core/generation-event.js';
import { encodeTokenLogprobs } from '../encode-logprobs.js';
import { encodeToolCall } from '../encode-tool-call.js';
import { pendingLogprobs } from '../pending-logprobs.js';
import type { CompletionIdentity } from './completion-identity.js';
import { encodeUsage } from './encode-usage.js';
import { mapFinishReason, type OpenAIFinishReason } from './map-finish-reason.js';

export interface ChunkOptions {
  /** `stream_options.include_usage`: one last chunk with `choices: []` and the usage. */
  readonly includeUsage: boolean;
}

/** The chunks (zero or more) one event becomes. */
export type ChunkEncoder = (event: GenerationEvent) => object[];

/**
 * Every chunk carries one choice, numbered by the event's `choice`. A choice opens with a
 * `{role, content: ""}` chunk (choice 0 as soon as the engine starts, the others before their
 * first piece); its log-probabilities ride on its next content chunk, or on its finish chunk.
 */
export function createChatChunkEncoder(identity: CompletionIdentity, options: ChunkOptions): ChunkEncoder {
  const opened = new Set<number>();
  const logprobs = pendingLogprobs();
  const chunk = (choices: object[], usage: object | null = null): object => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices,
    usage,
  });
  const choiceChunk = (index: number, delta: object, finishReason: OpenAIFinishReason | null = null, entries?: readonly TokenLogprob[]): object =>
    chunk([{ index, delta, finish_reason: finishReason, logprobs: entries === undefined ? null : { content: encodeTokenLogprobs(entries) } }]);
  /** The role chunk, once per choice, before anything else of it. */
  const open = (index: number): object[] => {
    if (opened.has(index)) return [];
    opened.add(index);
    return [choiceChunk(index, { role: 'assistant', content: '' })];
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        return open(0);
      case 'reasoning-delta':
        return [...open(event.choice), choiceChunk(event.choice, { content: null, reasoning_content: event.delta })];
      case 'text-delta':
        return [...open(event.choice), choiceChunk(event.choice, { content: event.delta }, null, logprobs.take(event.choice))];
      case 'tool-call':
        // The whole call in one fragment: clients concatenate fragments by index, so one is as good as many.
        return [...open(event.choice), choiceChunk(event.choice, { tool_calls: [encodeToolCall(event)] })];
      case 'logprobs':
        logprobs.add(event.choice, event.content);
        return [];
      case 'finish':
        return [...open(event.choice), choiceChunk(event.choice, { content: '' }, mapFinishReason(event.finishReason), logprobs.take(event.choice))];
      case 'usage':
        return options.includeUsage ? [chunk([], encodeUsage(event.usage))] : [];
    }
  };
}
