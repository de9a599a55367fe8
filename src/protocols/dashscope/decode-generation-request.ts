// Decodes a native DashScope generation body into the neutral ChatRequest plus the wire's own options.
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import { invalidRequestFromZod } from '../invalid-request-from-zod.js';
import { generationRequestSchema, type GenerationRequestBody } from './generation-request-schema.js';

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

/** top_k values above this switch top-k off, as Model Studio documents. */
const TOP_K_OFF_ABOVE = 100;

/** `history` pairs, then `messages`, then `prompt` as the last user turn. */
function toMessages(input: GenerationRequestBody['input']): ChatMessage[] {
  const history = (input.history ?? []).flatMap(({ user, bot }): ChatMessage[] => [
    { role: 'user', content: user },
    { role: 'assistant', content: bot },
  ]);
  const prompt: ChatMessage[] = input.prompt == null ? [] : [{ role: 'user', content: input.prompt }];
  return [...history, ...(input.messages ?? []), ...prompt];
}

export function decodeGenerationRequest(body: unknown, hints: StreamHints): DashScopeCall {
  const parsed = generationRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error, body);
  const { model, input, stream } = parsed.data;
  const parameters = parsed.data.parameters ?? {};
  const maxTokens = parameters.max_tokens ?? parameters.max_length ?? undefined;
  const stop = parameters.stop ?? [];
  const request: ChatRequest = {
    model,
    messages: toMessages(input),
    sampling: {
      ...(parameters.temperature == null ? {} : { temperature: parameters.temperature }),
      ...(parameters.top_p == null ? {} : { topP: parameters.top_p }),
      ...(parameters.top_k == null ? {} : { topK: parameters.top_k > TOP_K_OFF_ABOVE ? 0 : parameters.top_k }),
      ...(parameters.seed == null ? {} : { seed: parameters.seed }),
      ...(parameters.repetition_penalty == null ? {} : { repetitionPenalty: parameters.repetition_penalty }),
      ...(parameters.presence_penalty == null ? {} : { presencePenalty: parameters.presence_penalty }),
      ...(parameters.frequency_penalty == null ? {} : { frequencyPenalty: parameters.frequency_penalty }),
    },
    ...(maxTokens === undefined ? {} : { maxTokens }),
    stop: typeof stop === 'string' ? [stop] : stop,
  };
  return {
    request,
    stream: hints.sseHeader || hints.acceptsEventStream || parameters.stream === true || stream === true,
    resultFormat: parameters.result_format ?? 'text',
    incrementalOutput: parameters.incremental_output ?? false,
  };
}
