// The message forms both wires share: assistant turns that called tools, tool results, and the unknown-role error.
import { z } from 'zod';
import type { ChatMessage } from '../core/chat-request.js';
import { quoteClientText } from '../lib/quote-client-text.js';
import { toolCallSchema, toToolCall } from './tool-schemas.js';

/** The error of a messages union whose `role` matched none of its members; a role that is no string is not quoted. */
export function unsupportedRole(roles: string): (issue: z.core.$ZodRawIssue) => string | undefined {
  return (issue) => {
    if (issue.code !== 'invalid_union' || typeof issue.input !== 'object' || issue.input === null) return undefined;
    const { role } = issue.input as { readonly role?: unknown };
    if (role === undefined) return undefined;
    if (typeof role !== 'string') return `The role must be a string: use ${roles}.`;
    return `Unsupported role ${quoteClientText(role)}: use ${roles}.`;
  };
}

/** `content` may be null or absent when the turn only called tools. */
export function assistantMessageSchema<Content extends z.ZodType>(content: Content) {
  return z
    .object({ role: z.literal('assistant'), content: content.nullish(), tool_calls: z.array(toolCallSchema).nullish(), partial: z.boolean().nullish() })
    .refine((message) => message.content != null || (message.tool_calls?.length ?? 0) > 0, {
      path: ['content'],
      error: 'An assistant message needs content or tool_calls.',
    });
}

export function toolMessageSchema<Content extends z.ZodType>(content: Content) {
  return z.object({ role: z.literal('tool'), content, tool_call_id: z.string() });
}

/** `partial`: Model Studio's partial mode, in which the model continues this (last) message. */
export function toAssistantMessage(content: string, toolCalls: readonly z.infer<typeof toolCallSchema>[] | null | undefined, partial: boolean | null | undefined): ChatMessage {
  return {
    role: 'assistant',
    content,
    ...(toolCalls == null || toolCalls.length === 0 ? {} : { toolCalls: toolCalls.map(toToolCall) }),
    ...(partial === true ? { partial } : {}),
  };
}
