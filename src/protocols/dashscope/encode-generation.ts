// Renders a whole generation as one native (non-streaming) response body.
import type { CollectedGeneration } from '../../core/collect-generation.js';
import type { ResultFormat } from './decode-generation-request.js';
import { encodeOutput, mapFinishReason } from './encode-output.js';
import { encodeUsage } from './encode-usage.js';

export function encodeGeneration(format: ResultFormat, generation: CollectedGeneration, requestId: string): object {
  return {
    output: encodeOutput(format, generation.text, mapFinishReason(generation.finishReason)),
    usage: encodeUsage(generation.usage),
    request_id: requestId,
  };
}
