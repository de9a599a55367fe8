// The rules Model Studio applies across the fields of a chat request, on either wire.
import type { ChatMessage, ChatRequest } from '../core/chat-request.js';
import { InvalidRequestError } from '../core/errors.js';
import { quoteClientText } from '../lib/quote-client-text.js';

/** Where each rule's field lives, in the wire's own naming. */
export interface ChatRuleParams {
  readonly toolChoice: string;
  readonly responseFormat: string;
  readonly messages: string;
  /** The `tool_call_id` of the decoded request's message at `index`. */
  readonly toolCallId: (index: number) => string;
}

function checkToolResults(messages: readonly ChatMessage[], params: ChatRuleParams): void {
  const callIds = new Set<string>();
  messages.forEach((message, index) => {
    if (message.role === 'assistant') message.toolCalls?.forEach((call) => callIds.add(call.id));
    else if (message.role === 'tool' && !callIds.has(message.toolCallId)) {
      // Model Studio's own text, spelling included, as clients may match on it.
      throw new InvalidRequestError('messages with role "tool" must be a response to a preceeding message with "tool_calls".', params.toolCallId(index));
    }
  });
}

function checkPartial(messages: readonly ChatMessage[], params: ChatRuleParams): void {
  const misplaced = messages.findIndex((message, index) => message.role === 'assistant' && message.partial === true && index !== messages.length - 1);
  if (misplaced !== -1) throw new InvalidRequestError('Only the last message may be a partial assistant message.', params.messages);
}

function checkToolChoice({ tools = [], toolChoice }: ChatRequest, params: ChatRuleParams): void {
  if (toolChoice === undefined || toolChoice === 'auto' || toolChoice === 'none') return;
  if (tools.length === 0) throw new InvalidRequestError("'tool_choice' is only allowed when 'tools' are specified.", params.toolChoice);
  if (toolChoice !== 'required' && !tools.some((tool) => tool.name === toolChoice.name)) {
    throw new InvalidRequestError(`'tool_choice' names the function ${quoteClientText(toolChoice.name)}, which is not among the 'tools'.`, params.toolChoice);
  }
}

function checkThinkingMode({ toolChoice, responseFormat }: ChatRequest, params: ChatRuleParams): void {
  if (toolChoice === 'required' || typeof toolChoice === 'object') {
    throw new InvalidRequestError('The tool_choice parameter does not support being set to required or object in thinking mode', params.toolChoice);
  }
  if (responseFormat !== undefined && responseFormat.type !== 'text') {
    throw new InvalidRequestError('Json mode response is not supported when enable_thinking is true', params.responseFormat);
  }
}

function checkJsonMentioned({ responseFormat, messages }: ChatRequest, params: ChatRuleParams): void {
  if (responseFormat?.type !== 'json_object' || messages.some((message) => /json/i.test(message.content))) return;
  throw new InvalidRequestError("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", params.messages);
}

export function checkChatRules(request: ChatRequest, params: ChatRuleParams): void {
  checkToolResults(request.messages, params);
  checkPartial(request.messages, params);
  checkToolChoice(request, params);
  if (request.thinking?.enabled === true) checkThinkingMode(request, params);
  checkJsonMentioned(request, params);
}
