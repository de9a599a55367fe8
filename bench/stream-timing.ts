// Streams one chat completion from an OpenAI-compatible server and times its tokens as they arrive.
import OpenAI from 'openai';
import { Agent, fetch } from 'undici';

export type ChatMessage = OpenAI.Chat.ChatCompletionMessageParam;

/** A server to measure and the model name it expects. */
export interface ChatTarget {
  readonly client: OpenAI;
  readonly model: string;
}

/**
 * A client that opens a connection for each request and never retries. llama-server closes the connection after every
 * streamed response without saying so in its headers, so a pooled connection reused for a conversation's next turn can
 * be closed under that request ("other side closed"). A fresh loopback connection costs far less than a millisecond.
 */
export function chatClient(serverUrl: string): OpenAI {
  const noKeepAlive = new Agent({ pipelining: 0 });
  return new OpenAI({ baseURL: `${serverUrl}/v1`, apiKey: 'unused', maxRetries: 0, fetch, fetchOptions: { dispatcher: noKeepAlive } });
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

/** How a stream's tokens are chosen: llama-server and Studio both read `top_k` beside the OpenAI fields. */
export interface StreamSampling {
  readonly temperature: number;
  readonly top_p?: number;
  readonly top_k?: number;
  readonly min_p?: number;
  readonly seed?: number;
}

const GREEDY: StreamSampling = { temperature: 0 };

/** Exactly `maxTokens` unless the model ends earlier; the token counts come from the final usage chunk. */
export async function streamChat(target: ChatTarget, messages: ChatMessage[], maxTokens: number, sampling: StreamSampling = GREEDY): Promise<StreamTiming> {
  const sentAt = performance.now();
  let firstTokenAt: number | undefined;
  let lastTokenAt = sentAt;
  let usage: OpenAI.CompletionUsage | undefined;
  let content = '';
  const stream = await target.client.chat.completions.create({
    model: target.model,
    messages,
    max_tokens: maxTokens,
    ...sampling,
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
