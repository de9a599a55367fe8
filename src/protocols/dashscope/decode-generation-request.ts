// Decodes a native DashScope generation body into the neutral ChatRequest plus the wire's own options.
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import { InvalidRequestError } from '../../core/errors.js';
import { checkChatRules, type ChatRuleParams } from '../check-chat-rules.js';
import { decodeChoiceOptions } from '../choice-parameters.js';
import { invalidRequestFromZod } from '../invalid-request-from-zod.js';
import { toAssistantMessage } from '../message-schemas.js';
import { decodeFeatures, decodePenalties } from '../shared-parameters.js';
import { generationRequestSchema, type GenerationRequestBody } from './generation-request-schema.js';
import { toStop } from './stop-schema.js';

export type ResultFormat = 'text' | 'message';

export interface DashScopeCall {
  readonly request: ChatRequest;
  readonly stream: boolean;
  readonly resultFormat: ResultFormat;
  /** Stream packets carry only the new text (true) or everything so far (false). */
  readonly incrementalOutput: boolean;
}

/** What the HTTP request says about streaming besides the body. */
export interface StreamHints {
  /** `X-DashScope-SSE: enable`. */
  readonly sseHeader: boolean;
  /** An `Accept` header asking for `text/event-stream`. */
  readonly acceptsEventStream: boolean;
}

type Input = GenerationRequestBody['input'];

/** top_k values above this switch top-k off, as Model Studio documents. */
const TOP_K_OFF_ABOVE = 100;

function toMessage(message: NonNullable<Input['messages']>[number]): ChatMessage {
  switch (message.role) {
    case 'assistant':
      return toAssistantMessage(message.content ?? '', message.tool_calls, message.partial);
    case 'tool':
      return { role: 'tool', content: message.content, toolCallId: message.tool_call_id };
    default:
      return { role: message.role, content: message.content };
  }
}

/** `history` pairs, then `messages`, then `prompt` as the last user turn. */
function toMessages(input: Input): ChatMessage[] {
  const history = (input.history ?? []).flatMap(({ user, bot }): ChatMessage[] => [
    { role: 'user', content: user },
    { role: 'assistant', content: bot },
  ]);
  const prompt: ChatMessage[] = input.prompt == null ? [] : [{ role: 'user', content: input.prompt }];
  return [...history, ...(input.messages ?? []).map(toMessage), ...prompt];
}

/** Tool messages sit among `input.messages`, after the two turns of each `history` pair. */
function ruleParams(input: Input): ChatRuleParams {
  const offset = 2 * (input.history?.length ?? 0);
  return {
    toolChoice: 'parameters.tool_choice',
    responseFormat: 'parameters.response_format',
    messages: 'input',
    toolCallId: (index) => `input.messages[${index - offset}].tool_call_id`,
  };
}

/** What the text format has no room for: thinking, tool calls, several answers, log-probabilities. */
function checkTextFormat(request: ChatRequest): void {
  if (request.thinking?.enabled === true) {
    throw new InvalidRequestError('The result_format parameter must be "message" when enable_thinking is true', 'parameters.result_format');
  }
  if (request.tools !== undefined) {
    throw new InvalidRequestError('The result_format parameter must be "message" when tools are given', 'parameters.result_format');
  }
  if (request.n !== undefined) throw new InvalidRequestError('n > 1 requires result_format "message"', 'parameters.result_format');
  if (request.logprobs !== undefined) throw new InvalidRequestError('logprobs requires result_format "message"', 'parameters.result_format');
}

/** The native wire's own demands on the result format and thinking, checked before the rules both wires share. */
function checkNativeRules({ request, stream, resultFormat, incrementalOutput }: DashScopeCall): void {
  const thinking = request.thinking?.enabled === true;
  if (resultFormat === 'text') checkTextFormat(request);
  if (stream && thinking && !incrementalOutput) {
    throw new InvalidRequestError('The incremental_output parameter must be "true" when enable_thinking is true', 'parameters.incremental_output');
  }
}

export function decodeGenerationRequest(body: unknown, hints: StreamHints): DashScopeCall {
  const parsed = generationRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error, body);
  const { model, input, stream } = parsed.data;
  const parameters = parsed.data.parameters ?? {};
  const maxTokens = parameters.max_tokens ?? parameters.max_length ?? undefined;
  const features = decodeFeatures(parameters);
  const request: ChatRequest = {
    model,
    messages: toMessages(input),
    sampling: {
      ...(parameters.temperature == null ? {} : { temperature: parameters.temperature }),
      ...(parameters.top_p == null ? {} : { topP: parameters.top_p }),
      ...(parameters.top_k == null ? {} : { topK: parameters.top_k > TOP_K_OFF_ABOVE ? 0 : parameters.top_k }),
      ...(parameters.seed == null ? {} : { seed: parameters.seed }),
      ...decodePenalties(parameters),
    },
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...toStop(parameters.stop),
    ...features,
    ...decodeChoiceOptions(parameters, features.tools !== undefined, 'parameters.top_logprobs'),
  };
  const call: DashScopeCall = {
    request,
    stream: hints.sseHeader || hints.acceptsEventStream || parameters.stream === true || stream === true,
    resultFormat: parameters.result_format ?? 'text',
    incrementalOutput: parameters.incremental_output ?? false,
  };
  checkNativeRules(call);
  checkChatRules(request, ruleParams(input));
  return call;
}
