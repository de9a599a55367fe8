// Decodes a native DashScope generation body into the neutral ChatRequest plus the wire's own options.
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import { InvalidRequestError } from '../../core/errors.js';
import { checkChatRules, type ChatRuleParams } from '../check-chat-rules.js';
import { decodeChoiceOptions } from '../choice-parameters.js';
import { invalidRequestFromZod } from '../invalid-request-from-zod.js';
import { checkImageUrl } from '../check-image-url.js';
import { messageFromParts, textOfParts, type WirePart } from '../message-from-parts.js';
import { toAssistantMessage } from '../message-schemas.js';
import { decodeFeatures, decodePenalties } from '../shared-parameters.js';
import { generationRequestSchema, multimodalRequestSchema, type GenerationRequestBody } from './generation-request-schema.js';
import { toStop } from './stop-schema.js';

export type ResultFormat = 'text' | 'message';

/** How replies are shaped: a result format, or the multimodal endpoint's message format, whose `content` is a list of `{"text"}` items. */
export type OutputFormat = ResultFormat | 'multimodal';

export interface DashScopeCall {
  readonly request: ChatRequest;
  readonly stream: boolean;
  readonly resultFormat: OutputFormat;
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

type WireMessage = NonNullable<Input['messages']>[number];
type ContentItem = Exclude<WireMessage['content'], string | null | undefined>[number];

function toWirePart(item: ContentItem, param: string): WirePart {
  if (item.video !== undefined) throw new InvalidRequestError(`${param}.video: video input is not supported; send images as {"image": …} items.`, `${param}.video`);
  if (typeof item.image === 'string') {
    checkImageUrl(item.image, `${param}.image`);
    return { part: { type: 'image', url: item.image }, param: `${param}.image` };
  }
  if (typeof item.text === 'string') return { part: { type: 'text', text: item.text }, param };
  throw new InvalidRequestError(`${param}: a content item must hold "text" or "image".`, param);
}

function toWireParts(content: readonly ContentItem[], param: string): WirePart[] {
  return content.map((item, index) => toWirePart(item, `${param}[${index}]`));
}

function toText(content: WireMessage['content'] & {}, param: string): string {
  return typeof content === 'string' ? content : textOfParts(toWireParts(content, param));
}

function toMessage(message: WireMessage, index: number): ChatMessage {
  const param = `input.messages[${index}].content`;
  switch (message.role) {
    case 'assistant':
      return toAssistantMessage(message.content == null ? '' : toText(message.content, param), message.tool_calls, message.partial);
    case 'tool':
      return { role: 'tool', content: toText(message.content, param), toolCallId: message.tool_call_id };
    default:
      if (typeof message.content === 'string') return { role: message.role, content: message.content };
      return messageFromParts(message.role, toWireParts(message.content, param));
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

/** What follows the schema, for either endpoint; `multimodal`: the reply is always in the multimodal message format. */
function decodeBody(body: GenerationRequestBody, hints: StreamHints, multimodal: boolean): DashScopeCall {
  const { model, input, stream } = body;
  const parameters = body.parameters ?? {};
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
    resultFormat: multimodal ? 'multimodal' : (parameters.result_format ?? 'text'),
    incrementalOutput: parameters.incremental_output ?? false,
  };
  checkNativeRules(call);
  checkChatRules(request, ruleParams(input));
  return call;
}

/** POST …/text-generation/generation: every `content` is a string. */
export function decodeGenerationRequest(body: unknown, hints: StreamHints): DashScopeCall {
  const parsed = generationRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error, body);
  return decodeBody(parsed.data, hints, false);
}

/** POST …/multimodal-generation/generation: `content` may be a list of text and image items; replies carry content lists. */
export function decodeMultimodalRequest(body: unknown, hints: StreamHints): DashScopeCall {
  const parsed = multimodalRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error, body);
  return decodeBody(parsed.data, hints, true);
}
