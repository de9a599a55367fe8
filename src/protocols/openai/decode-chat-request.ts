// Decodes an OpenAI-style chat completion body into the neutral ChatRequest plus the wire's own options.
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import { checkChatRules, type ChatRuleParams } from '../check-chat-rules.js';
import { decodeChoiceOptions } from '../choice-parameters.js';
import { invalidRequestFromZod } from '../invalid-request-from-zod.js';
import { toAssistantMessage } from '../message-schemas.js';
import { decodeFeatures, decodePenalties } from '../shared-parameters.js';
import { chatRequestSchema, type ChatRequestBody } from './chat-request-schema.js';

export interface OpenAIChatCall {
  readonly request: ChatRequest;
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

type WireMessage = ChatRequestBody['messages'][number];

/** top_k values above this (or null) switch top-k off, as Model Studio documents. */
const TOP_K_OFF_ABOVE = 100;

const ruleParams: ChatRuleParams = {
  toolChoice: 'tool_choice',
  responseFormat: 'response_format',
  messages: 'messages',
  toolCallId: (index) => `messages[${index}].tool_call_id`,
};

function flattenContent(content: Exclude<WireMessage['content'], null | undefined>): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

function toMessage(message: WireMessage): ChatMessage {
  switch (message.role) {
    case 'assistant':
      return toAssistantMessage(message.content == null ? '' : flattenContent(message.content), message.tool_calls, message.partial);
    case 'tool':
      return { role: 'tool', content: flattenContent(message.content), toolCallId: message.tool_call_id };
    case 'developer':
      return { role: 'system', content: flattenContent(message.content) };
    default:
      return { role: message.role, content: flattenContent(message.content) };
  }
}

export function decodeChatRequest(body: unknown): OpenAIChatCall {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error, body);
  const value = parsed.data;
  const maxTokens = value.max_completion_tokens ?? value.max_tokens ?? undefined;
  const stop = value.stop ?? [];
  const features = decodeFeatures(value);
  const request: ChatRequest = {
    model: value.model,
    messages: value.messages.map(toMessage),
    sampling: {
      ...(value.temperature == null ? {} : { temperature: value.temperature }),
      ...(value.top_p == null ? {} : { topP: value.top_p }),
      ...(value.top_k == null ? {} : { topK: value.top_k > TOP_K_OFF_ABOVE ? 0 : value.top_k }),
      ...(value.seed == null ? {} : { seed: value.seed }),
      ...decodePenalties(value),
    },
    ...(maxTokens === undefined ? {} : { maxTokens }),
    stop: typeof stop === 'string' ? [stop] : stop,
    ...features,
    ...decodeChoiceOptions(value, features.tools !== undefined, 'top_logprobs'),
  };
  checkChatRules(request, ruleParams);
  const stream = value.stream === true;
  return { request, stream, includeUsage: stream && value.stream_options?.include_usage === true };
}
