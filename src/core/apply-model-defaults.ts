// Fills what a request leaves unset from its model's catalog entry, and refuses what the entry does not allow.
import type { ChatMessage, ChatRequest, SamplingOptions, ThinkingOptions } from './chat-request.js';
import { InvalidRequestError } from './errors.js';
import type { CatalogEntry } from './model-catalog.js';

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function thinkingFor(request: ChatRequest, entry: CatalogEntry): ThinkingOptions | undefined {
  if (!entry.thinking.supported) {
    if (request.thinking?.enabled === true) throw new InvalidRequestError(`The model ${request.model} does not support enable_thinking.`, 'enable_thinking');
    return { enabled: false };
  }
  if (request.thinking !== undefined || entry.thinking.default === undefined) return request.thinking;
  return { enabled: entry.thinking.default === 'on' };
}

/** The request as the engine should run it: under the model's canonical name, with the model's defaults. */
export function applyModelDefaults(request: ChatRequest, entry: CatalogEntry): ChatRequest {
  const limit = entry.maxOutputTokens;
  if (limit !== undefined && request.maxTokens !== undefined && request.maxTokens > limit) {
    throw new InvalidRequestError(`Range of max_tokens should be [1, ${limit}]`, 'max_tokens');
  }
  const { systemPrompt, ...sampling } = entry.defaults;
  const hasSystem = request.messages.some((message) => message.role === 'system');
  const messages: readonly ChatMessage[] = systemPrompt === null || hasSystem ? request.messages : [{ role: 'system', content: systemPrompt }, ...request.messages];
  return {
    ...request,
    model: entry.name,
    messages,
    sampling: { ...definedOnly<SamplingOptions>(sampling), ...definedOnly(request.sampling) },
    maxTokens: request.maxTokens ?? limit,
    thinking: thinkingFor(request, entry),
  };
}
