// One entry of the conversation on the page: the user's message, or a reply with how it went and what it cost.
import type { ModelPricing } from '../api/models.js';
import type { ChatTurn } from './chat-body.js';
import type { Reply } from './reply.js';
import type { ReplyTiming } from './reply-metrics.js';

export interface UserEntry {
  readonly id: number;
  readonly role: 'user';
  readonly content: string;
}

export interface AssistantEntry {
  readonly id: number;
  readonly role: 'assistant';
  readonly model: string;
  readonly pricing: ModelPricing | null | undefined;
  readonly thinking: boolean;
  readonly reply: Reply;
  readonly timing: ReplyTiming;
  readonly status: 'streaming' | 'done' | 'stopped' | 'failed';
  readonly error?: string;
}

export type ChatEntry = UserEntry | AssistantEntry;

/** What the model is sent: replies that failed before saying anything are left out. */
export function entryTurns(entries: readonly ChatEntry[]): ChatTurn[] {
  return entries.flatMap((entry): ChatTurn[] => {
    if (entry.role === 'user') return [{ role: 'user', content: entry.content }];
    return entry.reply.content === '' ? [] : [{ role: 'assistant', content: entry.reply.content }];
  });
}
