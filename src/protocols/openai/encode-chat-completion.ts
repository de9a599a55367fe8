// Folds an engine's events into one non-streaming chat.completion body.
import type { FinishReason, GenerationEvent, Usage } from '../../core/generation-event.js';
import type { CompletionIdentity } from './completion-identity.js';
import { encodeUsage } from './encode-usage.js';
import { mapFinishReason } from './map-finish-reason.js';

export async function encodeChatCompletion(identity: CompletionIdentity, events: AsyncIterable<GenerationEvent>): Promise<object> {
  let content = '';
  let finishReason: FinishReason = { unified: 'other', raw: undefined };
  let usage: Usage = { inputTokens: undefined, outputTokens: undefined };
  for await (const event of events) {
    if (event.type === 'text-delta') content += event.delta;
    else if (event.type === 'finish') finishReason = event.finishReason;
    else if (event.type === 'usage') usage = event.usage;
  }
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: mapFinishReason(finishReason), logprobs: null }],
    usage: encodeUsage(usage),
  };
}
