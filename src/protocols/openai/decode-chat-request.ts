// Decodes an OpenAI-style chat completion body into the neutral ChatRequest plus the wire's own options.
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import { checkChatRules, type ChatRuleParams } from '../check-chat-rules.js';
import { checkImageUrl } from '../check-image-url.js';
import { decodeChoiceOptions } from '../choice-parameters.js';
import { invalidRequestFromZod } from '../invalid-request-from-zod.js';
import { messageFromParts, textOfParts, type WirePart } from '../message-from-parts.js';
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

type WireContent = Exclude<WireMessage['content'], null | undefined>;

/** A list's parts with the field each sits in; image URLs checked. */
function toWireParts(content: readonly Exclude<WireContent, string>[number][], param: string): WirePart[] {
  return content.map((part, index): WirePart => {
    if (part.type === 'text') return { part, param: `${param}[${index}]` };
    const url = typeof part.image_url === 'string' ? part.image_url : part.image_url.url;
    const urlParam = `${param}[${index}].image_url${typeof part.image_url === 'string' ? '' : '.url'}`;
    checkImageUrl(url, urlParam);
    return { part: { type: 'image', url }, param: urlParam };
  });
}

function toText(content: WireContent, param: string): string {
  return typeof content === 'string' ? content : textOfParts(toWireParts(content, param));
}

function toMessage(message: WireMessage, index: number): ChatMessage {
  const param = `messages[${index}].content`;
  switch (message.role) {
    case 'assistant':
      return toAssistantMessage(message.content == null ? '' : toText(message.content, param), message.tool_calls, message.partial);
    case 'tool':
      return { role: 'tool', content: toText(message.content, param), toolCallId: message.tool_call_id };
    default: {
      const role = message.role === 'developer' ? 'system' : message.role;
      if (typeof message.content === 'string') return { role, content: message.content };
      return messageFromParts(role, toWireParts(message.content, param));
    }
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
