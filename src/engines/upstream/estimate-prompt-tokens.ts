// A conservative count of a request's prompt tokens, for rate limits to reserve before the upstream counts them exactly.
import type { ChatRequest } from '../../core/chat-request.js';

/** Few tokenizers need fewer than 3 bytes of UTF-8 per token (English runs near 4, Chinese near 3). */
const BYTES_PER_TOKEN = 3;
/** A chat template's role markers and separators around each message (ChatML's take 5). */
const TOKENS_PER_MESSAGE = 5;
/** The opening of the reply the template appends (ChatML's `<|im_start|>assistant\n`). */
const REPLY_OPENING_TOKENS = 3;
/** An image's share of the prompt, whatever its size: Qwen-VL's default resolution is about this many. */
const TOKENS_PER_IMAGE = 1280;

/** At least the tokens the upstream will count, give or take a template: the settled usage corrects it. */
export function estimatePromptTokens(request: Pick<ChatRequest, 'messages' | 'tools'>): number {
  let bytes = request.tools === undefined ? 0 : Buffer.byteLength(JSON.stringify(request.tools));
  let tokens = REPLY_OPENING_TOKENS;
  for (const message of request.messages) {
    tokens += TOKENS_PER_MESSAGE;
    bytes += Buffer.byteLength(message.content);
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) bytes += Buffer.byteLength(call.name) + Buffer.byteLength(call.arguments);
    if (message.role === 'user') tokens += (message.parts ?? []).filter((part) => part.type === 'image').length * TOKENS_PER_IMAGE;
  }
  return tokens + Math.ceil(bytes / BYTES_PER_TOKEN);
}
