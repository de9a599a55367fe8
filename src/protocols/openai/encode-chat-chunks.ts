// Renders an engine's events as chat.completion.chunk objects, in the order Model Studio streams them.
import type { GenerationEvent } from '../../core/generation-event.js';
import { encodeToolCall } from '../encode-tool-call.js';
import type { CompletionIdentity } from './completion-identity.js';
import { encodeUsage } from './encode-usage.js';
import { mapFinishReason } from './map-finish-reason.js';

export interface ChunkOptions {
  /** `stream_options.include_usage`: one last chunk with `choices: []` and the usage. */
  readonly includeUsage: boolean;
}

/** The chunks (zero or more) one event becomes. */
export function encodeChatChunks(identity: CompletionIdentity, options: ChunkOptions, event: GenerationEvent): object[] {
  const chunk = (choices: object[], usage: object | null = null): object => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices,
    usage,
  });
  const choice = (delta: object, finishReason: string | null = null): object => ({ index: 0, delta, finish_reason: finishReason, logprobs: null });
  switch (event.type) {
    case 'start':
      return [chunk([choice({ role: 'assistant', content: '' })])];
    case 'reasoning-delta':
      return [chunk([choice({ content: null, reasoning_content: event.delta })])];
    case 'text-delta':
      return [chunk([choice({ content: event.delta })])];
    case 'tool-call':
      // The whole call in one fragment: clients concatenate fragments by index, so one is as good as many.
      return [chunk([choice({ tool_calls: [encodeToolCall(event)] })])];
    case 'finish':
      return [chunk([choice({ content: '' }, mapFinishReason(event.finishReason))])];
    case 'usage':
      return options.includeUsage ? [chunk([], encodeUsage(event.usage))] : [];
  }
}
