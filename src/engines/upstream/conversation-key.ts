// The key that ties requests of one conversation together for endpoint affinity.
import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../core/chat-request.js';

/**
 * A digest of the system prompt and the first user message (images included): every turn of one
 * conversation starts with both, so its requests share the key, and the upstream's prefix cache.
 */
export function conversationKey(request: Pick<ChatRequest, 'messages'>): string {
  const system = request.messages.find((message) => message.role === 'system');
  const user = request.messages.find((message) => message.role === 'user');
  const userParts = user && 'parts' in user && user.parts ? user.parts : user?.content;
  return createHash('sha256')
    .update(JSON.stringify([system?.content ?? null, userParts ?? null]))
    .digest('base64url');
}
