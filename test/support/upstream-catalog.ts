// Catalog entries for models served by the tests' fake upstreams, faults shared between them, and one call per wire that returns the answer's text.
import OpenAI from 'openai';
import { callGeneration, packetText, parseSse, type Packet } from './dashscope-client.js';
import type { FakeBehaviour, FakeUpstream } from './fake-upstream.js';

/**
 * Rules short enough for tests: a stall is given up on after a second, a failed endpoint is checked again after half of one.
 * A health check may take as long as the interval between checks: on a busy machine a 0.2 s one marks healthy endpoints down.
 */
export const FAST_RULES = { connectTimeout: 1, firstTokenTimeout: 1, healthCheckInterval: 2, cooldown: 0.5, maxAttempts: 3 };

/** An endpoint entry for `fake` (or for a URL where nothing listens); metrics are not read unless `extra` says so. */
export function endpointOf(fake: FakeUpstream | string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { url: typeof fake === 'string' ? fake : fake.url, model: 'm', weight: 1, metrics: false, ...extra };
}

/** A catalog entry for a model served by `endpoints`, with FAST_RULES unless `rules` say otherwise. */
export function upstreamModel(name: string, endpoints: readonly Record<string, unknown>[], rules: Record<string, unknown> = {}, fields: Record<string, unknown> = {}): unknown {
  return { name, upstream: { endpoints, affinity: false, ...FAST_RULES, ...rules }, ...fields };
}

/** The next chat completion that reaches any of `fakes` meets `fault`, every other one the default reply; returns which fake met it. */
export function faultOnce(fault: FakeBehaviour, ...fakes: FakeUpstream[]): () => FakeUpstream | undefined {
  let faulted: FakeUpstream | undefined;
  for (const fake of fakes) {
    fake.behave(() => {
      if (faulted !== undefined) return { kind: 'reply' };
      faulted = fake;
      return fault;
    });
  }
  return () => faulted;
}

/** The chat completions all of `fakes` received. */
export function completionsOf(...fakes: FakeUpstream[]): number {
  return fakes.reduce((sum, fake) => sum + fake.completions().length, 0);
}

/** Reads an OpenAI stream to its end: the text it carried, and the error that ended it (undefined where it ended well). */
export async function readStream(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<{ text: string; failure: unknown }> {
  let text = '';
  try {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return { text, failure: undefined };
  } catch (failure) {
    return { text, failure };
  }
}

export type Wire = 'openai' | 'openai-stream' | 'dashscope' | 'dashscope-stream';

export interface Asked {
  readonly text: string;
  readonly requestId: string | null;
}

const messages = [{ role: 'user' as const, content: 'Say hello.' }];
/** Enough for the fake's reply; keeps a local fallback model's nonsense short. */
const MAX_TOKENS = 8;

/** Asks Studio at `url` (its root) for `model` on `wire`; a non-2xx answer or an in-stream error throws. */
export async function ask(url: string, model: string, wire: Wire): Promise<Asked> {
  if (wire === 'openai' || wire === 'openai-stream') {
    const client = new OpenAI({ baseURL: `${url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
    if (wire === 'openai') {
      const { data, response } = await client.chat.completions.create({ model, messages, max_tokens: MAX_TOKENS }).withResponse();
      return { text: data.choices[0]?.message.content ?? '', requestId: response.headers.get('x-request-id') };
    }
    const { data: stream, response } = await client.chat.completions.create({ model, messages, max_tokens: MAX_TOKENS, stream: true }).withResponse();
    const { text, failure } = await readStream(stream);
    if (failure !== undefined) throw failure;
    return { text, requestId: response.headers.get('x-request-id') };
  }
  const stream = wire === 'dashscope-stream';
  const response = await callGeneration(url, {
    body: { model, input: { messages }, parameters: { result_format: 'message', max_tokens: MAX_TOKENS, ...(stream ? { incremental_output: true } : {}) } },
    headers: stream ? { 'X-DashScope-SSE': 'enable' } : {},
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${body}`);
  const events = stream ? parseSse(body) : [{ event: 'result', data: body }];
  const failed = events.find((event) => event.event === 'error');
  if (failed !== undefined) throw new Error(`in-stream error: ${failed.data}`);
  return { text: events.map((event) => packetText(JSON.parse(event.data) as Packet)).join(''), requestId: response.headers.get('x-request-id') };
}
