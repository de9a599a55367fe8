// Streams one chat completion from an OpenAI-compatible server and times its tokens as they arrive.
import type OpenAI from 'openai';

export type ChatMessage = OpenAI.Chat.ChatCompletionMessageParam;

/** A server to measure and the model name it expects. */
export interface ChatTarget {
  readonly client: OpenAI;
  readonly model: string;
}

/** Instants are `performance.now()` milliseconds. */
export interface StreamTiming {
  readonly sentAt: number;
  readonly firstTokenAt: number;
  readonly lastTokenAt: number;
  /** As the server's usage chunk counts them. */
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly content: string;
}

export function timeToFirstTokenMs(timing: StreamTiming): number {
  return timing.firstTokenAt - timing.sentAt;
}

/** Tokens after the first, over the time from the first content chunk to the last. */
export function decodeTokensPerSecond(timing: StreamTiming): number {
  return (timing.completionTokens - 1) / ((timing.lastTokenAt - timing.firstTokenAt) / 1000);
}

/** Greedy, exactly `maxTokens` unless the model ends earlier; the token counts come from the final usage chunk. */
export async function streamChat(target: ChatTarget, messages: ChatMessage[], maxTokens: number): Promise<StreamTiming> {
  const sentAt = performance.now();
  let firstTokenAt: number | undefined;
  let lastTokenAt = sentAt;
  let usage: OpenAI.CompletionUsage | undefined;
  let content = '';
  const stream = await target.client.chat.completions.create({
    model: target.model,
    messages,
    max_tokens: maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta.content;
    if (text) {
      lastTokenAt = performance.now();
      firstTokenAt ??= lastTokenAt;
      content += text;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  if (usage === undefined) throw new Error('the stream ended without a usage chunk');
  if (firstTokenAt === undefined) throw new Error('the stream carried no content');
  return { sentAt, firstTokenAt, lastTokenAt, promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, content };
}
