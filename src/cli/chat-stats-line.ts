// The line after each answer: how many tokens, how soon the first came, and how fast the rest did.
import type { AnswerStats } from './chat-session.js';

export function chatStatsLine({ completionTokens, firstTokenSeconds, tokensPerSecond, stopped }: AnswerStats): string {
  const parts = [
    completionTokens === undefined ? undefined : `${completionTokens} tokens`,
    firstTokenSeconds === undefined ? 'no tokens' : `first token ${firstTokenSeconds.toFixed(2)} s`,
    tokensPerSecond === undefined ? undefined : `${tokensPerSecond.toFixed(1)} tokens/s`,
    stopped ? 'stopped' : undefined,
  ];
  return `[${parts.filter((part) => part !== undefined).join(' · ')}]`;
}
