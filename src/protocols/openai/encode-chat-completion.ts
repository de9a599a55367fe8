// Renders a whole generation as one non-streaming chat.completion body.
import type { CollectedChoice, CollectedGeneration } from '../../core/collect-generation.js';
import { encodeTokenLogprobs } from '../encode-logprobs.js';
import type { CompletionIdentity } from './completion-identity.js';
import { encodeMessage } from './encode-message.js';
import { encodeUsage } from './encode-usage.js';
import { mapFinishReason } from './map-finish-reason.js';

/** `logprobs` is null unless the request asked for them. */
function encodeChoice(choice: CollectedChoice, index: number): object {
  return {
    index,
    message: encodeMessage(choice),
    finish_reason: mapFinishReason(choice.finishReason),
    logprobs: choice.logprobs === undefined ? null : { content: encodeTokenLogprobs(choice.logprobs), refusal: null },
  };
}

export function encodeChatCompletion(identity: CompletionIdentity, generation: CollectedGeneration): object {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: generation.choices.map(encodeChoice),
    usage: encodeUsage(generation.usage),
  };
}
