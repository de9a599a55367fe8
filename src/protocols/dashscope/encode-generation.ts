// Renders a whole generation as one native (non-streaming) response body.
import type { CollectedGeneration } from '../../core/collect-generation.js';
import { indexToolCalls } from '../encode-tool-call.js';
import type { ResultFormat } from './decode-generation-request.js';
import { encodeOutput, mapFinishReason } from './encode-output.js';
import { encodeUsage } from './encode-usage.js';

export function encodeGeneration(format: ResultFormat, generation: CollectedGeneration, requestId: string): object {
  const answer = {
    content: generation.text,
    reasoning: generation.reasoning === '' ? undefined : generation.reasoning,
    toolCalls: indexToolCalls(generation.toolCalls),
  };
  return {
    output: encodeOutput(format, answer, mapFinishReason(generation.finishReason)),
    usage: encodeUsage(generation.usage),
    request_id: requestId,
  };
}
