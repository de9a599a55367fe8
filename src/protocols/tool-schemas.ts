// Function calling as both wires spell it: tool definitions, `tool_choice` and the tool calls clients replay.
import { z } from 'zod';
import type { JsonSchema, ToolCall, ToolChoice, ToolDefinition } from '../core/chat-request.js';
import { jsonSchemaProblem, SCHEMA_LIMITS } from './json-schema-bounds.js';
import { jsonTextDepth } from './json-text-depth.js';

/** What Model Studio assumes for a tool whose `parameters` are omitted or `{}`: it takes no arguments. */
const NO_PARAMETERS: JsonSchema = { type: 'object', properties: {} };

export const toolDefinitionSchema = z.object({
  type: z.literal('function', 'Only tools of type "function" are supported.'),
  function: z
    .object({
      name: z.string().min(1, 'A tool needs a non-empty name.'),
      description: z.string().nullish(),
      parameters: z.record(z.string(), z.unknown()).nullish(),
    })
    .superRefine(({ name, parameters }, ctx) => {
      const problem = parameters == null ? undefined : jsonSchemaProblem(parameters);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `The parameters of tool ${name.slice(0, 64)} ${problem}`, path: ['parameters'] });
    }),
});

export const toolChoiceSchema = z.union(
  [z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })],
  { error: 'expected "auto", "none", "required" or {"type":"function","function":{"name":"…"}}' },
);

/** A call of an earlier assistant turn; `index` and `type` may come along and mean nothing here. */
export const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').nullish(),
  function: z.object({
    name: z.string(),
    // Parsed and written back into the prompt by recursive code: bounded as a schema's depth is.
    arguments: z.string().refine((text) => jsonTextDepth(text) <= SCHEMA_LIMITS.depth, {
      message: `The arguments of a tool call nest deeper than ${SCHEMA_LIMITS.depth} levels, the most Studio allows.`,
    }),
  }),
});

export function toToolDefinition({ function: tool }: z.infer<typeof toolDefinitionSchema>): ToolDefinition {
  const parameters = tool.parameters == null || Object.keys(tool.parameters).length === 0 ? NO_PARAMETERS : tool.parameters;
  return { name: tool.name, ...(tool.description == null ? {} : { description: tool.description }), parameters };
}

export function toToolChoice(choice: z.infer<typeof toolChoiceSchema>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

export function toToolCall(call: z.infer<typeof toolCallSchema>): ToolCall {
  return { id: call.id, name: call.function.name, arguments: call.function.arguments };
}
