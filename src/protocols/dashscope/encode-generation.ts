// Renders a whole generation as one native (non-streaming) response body.
import type { CollectedChoice, CollectedGeneration } from '../../core/collect-generation.js';
import { indexToolCalls } from '../encode-tool-call.js';
import type { OutputFormat } from './decode-generation-request.js';
import { encodeOutput, mapFinishReason, type OutputChoice } from './encode-output.js';
import { encodeUsage } from './encode-usage.js';

function toOutputChoice(choice: CollectedChoice, index: number | undefined): OutputChoice {
  return {
    index,
    answer: {
      content: choice.text,
      reasoning: choice.reasoning === '' ? undefined : choice.reasoning,
      toolCalls: indexToolCalls(choice.toolCalls),
    },
    logprobs: choice.logprobs,
    finishReason: mapFinishReason(choice.finishReason),
  };
}

/** Choices carry `index` only when there are several (PROTOCOL §5.1). */
export function encodeGeneration(format: OutputFormat, generation: CollectedGeneration, requestId: string): object {
  const several = generation.choices.length > 1;
  return {
    output: encodeOutput(
      format,
      generation.choices.map((choice, index) => toOutputChoice(choice, several ? index : undefined)),
    ),
    usage: encodeUsage(generation.usage),
    request_id: requestId,
  };
}
