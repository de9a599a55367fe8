// Renders a whole generation as one non-streaming chat.completion body.
import type { CollectedGeneration } from '../../core/collect-generation.js';
import type { CompletionIdentity } from './completion-identity.js';
import { encodeMessage } from './encode-message.js';
import { encodeUsage } from './encode-usage.js';
import { mapFinishReason } from './map-finish-reason.js';

export function encodeChatCompletion(identity: CompletionIdentity, generation: CollectedGeneration): object {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: encodeMessage(generation),
        finish_reason: mapFinishReason(generation.finishReason),
        logprobs: null,
      },
    ],
    usage: encodeUsage(generation.usage),
  };
}
