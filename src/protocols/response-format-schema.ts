// `response_format` as both wires spell it: free text, any JSON object, or JSON matching a schema.
import { z } from 'zod';
import type { ResponseFormat } from '../core/chat-request.js';
import { jsonSchemaProblem } from './json-schema-bounds.js';

export const responseFormatSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({
        name: z.string().min(1, 'json_schema.name must not be empty.'),
        schema: z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
          const problem = jsonSchemaProblem(schema);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `The response_format schema ${problem}` });
        }),
      }),
    }),
  ],
  { error: 'expected {"type":"text"}, {"type":"json_object"} or {"type":"json_schema","json_schema":{"name","schema"}}' },
);

export function toResponseFormat(format: z.infer<typeof responseFormatSchema>): ResponseFormat {
  return format.type === 'json_schema' ? { type: 'json_schema', schema: format.json_schema.schema } : { type: format.type };
}
