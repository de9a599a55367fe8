// The parameters both wires spell alike (OpenAI at the top level, native under `parameters`): penalties, tools, structured output, thinking.
// `n`, `logprobs` and `top_logprobs` (whose range differs by wire) are in choice-parameters.ts.
import { z } from 'zod';
import type { ChatRequest, SamplingOptions, ThinkingOptions } from '../core/chat-request.js';
import { responseFormatSchema, toResponseFormat } from './response-format-schema.js';
import { toolChoiceSchema, toolDefinitionSchema, toToolChoice, toToolDefinition } from './tool-schemas.js';

const THINKING_BUDGET_ERROR = 'The thinking_budget parameter must be a positive integer.';

/** Far above any served name or alias: a longer `model` names nothing, and its 404 would echo it whole. */
export const MAX_MODEL_NAME_LENGTH = 256;
export const MODEL_NAME_TOO_LONG = `The model name must be at most ${MAX_MODEL_NAME_LENGTH} characters.`;

export const sharedParameterShape = {
  repetition_penalty: z.number().gt(0, 'Repetition_penalty should be greater than 0.0').nullish(),
  presence_penalty: z.number().min(-2, 'Presence_penalty should be in [-2.0, 2.0]').max(2, 'Presence_penalty should be in [-2.0, 2.0]').nullish(),
  frequency_penalty: z.number().min(-2, 'Frequency_penalty should be in [-2.0, 2.0]').max(2, 'Frequency_penalty should be in [-2.0, 2.0]').nullish(),
  tools: z.array(toolDefinitionSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormatSchema.nullish(),
  enable_thinking: z.boolean().nullish(),
  // int() is a safe integer: 1e300 is an integer too, but no budget an engine can count to.
  thinking_budget: z.number().int(THINKING_BUDGET_ERROR).gt(0, THINKING_BUDGET_ERROR).nullish(),
};

export type SharedParameters = z.infer<z.ZodObject<typeof sharedParameterShape>>;

export type ChatFeatures = Pick<ChatRequest, 'tools' | 'toolChoice' | 'parallelToolCalls' | 'responseFormat' | 'thinking'>;

export function decodePenalties(values: SharedParameters): SamplingOptions {
  return {
    ...(values.repetition_penalty == null ? {} : { repetitionPenalty: values.repetition_penalty }),
    ...(values.presence_penalty == null ? {} : { presencePenalty: values.presence_penalty }),
    ...(values.frequency_penalty == null ? {} : { frequencyPenalty: values.frequency_penalty }),
  };
}

/** A budget sent without `enable_thinking` asks for thinking: it means nothing otherwise. */
function decodeThinking(enabled: boolean | null | undefined, budget: number | null | undefined): ThinkingOptions | undefined {
  if (enabled == null && budget == null) return undefined;
  return { enabled: enabled ?? true, ...(budget == null ? {} : { budgetTokens: budget }) };
}

/** Only what the client set; an empty `tools` list is no tools. */
export function decodeFeatures(values: SharedParameters): ChatFeatures {
  const tools = values.tools ?? [];
  const thinking = decodeThinking(values.enable_thinking, values.thinking_budget);
  return {
    ...(tools.length === 0 ? {} : { tools: tools.map(toToolDefinition) }),
    ...(values.tool_choice == null ? {} : { toolChoice: toToolChoice(values.tool_choice) }),
    ...(values.parallel_tool_calls == null ? {} : { parallelToolCalls: values.parallel_tool_calls }),
    ...(values.response_format == null ? {} : { responseFormat: toResponseFormat(values.response_format) }),
    ...(thinking === undefined ? {} : { thinking }),
  };
}
