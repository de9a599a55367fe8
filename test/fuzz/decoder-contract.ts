// What a request decoder promises for any body: a request engines can rely on, or a StudioError its wire renders as a 4xx.
import { expect } from 'vitest';
import { z } from 'zod';
import type { ChatRequest } from '../../src/core/chat-request.js';
import { isRenderable, StudioError, type RenderableError } from '../../src/core/errors.js';
import { MAX_MODEL_NAME_LENGTH } from '../../src/protocols/shared-parameters.js';

/** zod's int() is a safe integer: no 2**64 that has lost its last digits. */
const count = z.number().int();
const text = z.string();
const schemaObject = z.custom<object>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'a JSON Schema object');

const message = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('system'), content: text }),
  z.strictObject({
    role: z.literal('user'),
    content: text,
    /** Only where an image is among them; every image a web or data:image URL. */
    parts: z
      .array(z.discriminatedUnion('type', [z.strictObject({ type: z.literal('text'), text }), z.strictObject({ type: z.literal('image'), url: z.string().regex(/^(https?:|data:image\/)/i) })]))
      .refine((parts) => parts.some((part) => part.type === 'image'), 'parts without an image')
      .optional(),
  }),
  z.strictObject({
    role: z.literal('assistant'),
    content: text,
    toolCalls: z.array(z.strictObject({ id: text, name: text, arguments: text })).min(1).optional(),
    partial: z.literal(true).optional(),
  }),
  z.strictObject({ role: z.literal('tool'), content: text, toolCallId: text }),
]);

/** core/chat-request.ts with its comments made checks: finite numbers in their ranges, counts as safe integers. */
const chatRequestInvariants = z.strictObject({
  model: z.string().min(1).max(MAX_MODEL_NAME_LENGTH),
  messages: z.array(message).min(1),
  sampling: z.strictObject({
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().gt(0).max(1).optional(),
    topK: count.min(0).optional(),
    seed: count.min(0).optional(),
    repetitionPenalty: z.number().gt(0).optional(),
    presencePenalty: z.number().min(-2).max(2).optional(),
    frequencyPenalty: z.number().min(-2).max(2).optional(),
  }),
  maxTokens: count.min(1).optional(),
  stop: z.array(text),
  tools: z.array(z.strictObject({ name: z.string().min(1), description: text.optional(), parameters: schemaObject })).min(1).optional(),
  toolChoice: z.union([z.enum(['auto', 'none', 'required']), z.strictObject({ name: text })]).optional(),
  parallelToolCalls: z.boolean().optional(),
  responseFormat: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('text') }),
      z.strictObject({ type: z.literal('json_object') }),
      z.strictObject({ type: z.literal('json_schema'), schema: schemaObject }),
    ])
    .optional(),
  thinking: z.strictObject({ enabled: z.boolean(), budgetTokens: count.min(1).optional() }).optional(),
  n: count.min(2).max(4).optional(),
  logprobs: z.strictObject({ topLogprobs: count.min(0).max(20) }).optional(),
  stopTokens: z.array(z.array(count.min(0)).min(1)).min(1).optional(),
});

/** Error messages name what is wrong; they never echo a megabyte of the body back. */
const MAX_MESSAGE_LENGTH = 2000;

/**
 * Calls `decode`. A returned call must carry a request that keeps the invariants; a thrown error must be a
 * StudioError that `render` (the wire's own renderer) answers with a 4xx — never a TypeError, a RangeError
 * from a stack overflow, or a 5xx. Returns the call or the error.
 */
export function expectDecoderContract<Call extends { readonly request: ChatRequest }>(
  decode: () => Call,
  render: (error: RenderableError) => { readonly status: number },
): Call | RenderableError {
  let call: Call;
  try {
    call = decode();
  } catch (error) {
    if (!(error instanceof StudioError) || !isRenderable(error)) throw new Error(`the decoder threw ${String(error)}`, { cause: error });
    expect(render(error).status, error.message).toBeGreaterThanOrEqual(400);
    expect(render(error).status, error.message).toBeLessThan(500);
    expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    return error;
  }
  const checked = chatRequestInvariants.safeParse(call.request);
  if (!checked.success) throw new Error(`the decoded request breaks an invariant: ${z.prettifyError(checked.error)}`);
  return call;
}
