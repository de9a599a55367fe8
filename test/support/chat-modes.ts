// One chat request sent four ways (each wire, blocking and streamed) and each answer read back into one shape, so a suite can compare them.
import OpenAI from 'openai';
import { expect } from 'vitest';
import { callGeneration, parseSse } from './dashscope-client.js';

/** The request in the OpenAI wire's field names; the native wire carries the same names under `parameters`. */
export interface ChatCall {
  readonly messages: OpenAI.ChatCompletionMessageParam[];
  readonly max_tokens: number;
  readonly [field: string]: unknown;
}

export interface AnsweredChoice {
  readonly text: string;
  readonly reasoning: string;
  readonly finish: string | null;
  readonly toolCalls: readonly { readonly name: string; readonly arguments: string }[];
  /** How many tokens came with logprobs. */
  readonly logprobTokens: number;
}

export interface Answer {
  readonly choices: readonly AnsweredChoice[];
  readonly usage: { readonly prompt: number; readonly completion: number; readonly total: number };
}

/** Where one Studio serves one model. */
export interface ChatTarget {
  readonly url: string;
  readonly model: string;
}

interface ChoiceDelta {
  readonly index?: number;
  readonly finish_reason?: string | null;
  readonly message?: WireMessage;
  readonly delta?: WireMessage;
  readonly logprobs?: { readonly content?: readonly unknown[] | null } | null;
}

interface WireMessage {
  readonly content?: string | null;
  readonly reasoning_content?: string | null;
  readonly tool_calls?: readonly { readonly index?: number; readonly function?: { readonly name?: string; readonly arguments?: string } }[];
}

/** Folds choices (whole or as deltas) into answers: text, reasoning and tool-call arguments are appended, the last finish reason wins. */
class ChoiceFolder {
  private readonly choices: { text: string; reasoning: string; finish: string | null; toolCalls: { name: string; arguments: string }[]; logprobTokens: number }[] = [];

  add(choice: ChoiceDelta, position: number): void {
    const index = choice.index ?? position;
    this.choices[index] ??= { text: '', reasoning: '', finish: null, toolCalls: [], logprobTokens: 0 };
    const folded = this.choices[index];
    const message = choice.delta ?? choice.message ?? {};
    folded.text += message.content ?? '';
    folded.reasoning += message.reasoning_content ?? '';
    for (const [callPosition, call] of (message.tool_calls ?? []).entries()) {
      const callIndex = call.index ?? callPosition;
      folded.toolCalls[callIndex] ??= { name: '', arguments: '' };
      folded.toolCalls[callIndex].name += call.function?.name ?? '';
      folded.toolCalls[callIndex].arguments += call.function?.arguments ?? '';
    }
    folded.logprobTokens += choice.logprobs?.content?.length ?? 0;
    // The native wire's packets say "null" until the last.
    if (choice.finish_reason !== undefined && choice.finish_reason !== null && choice.finish_reason !== 'null') folded.finish = choice.finish_reason;
  }

  result(): AnsweredChoice[] {
    return this.choices;
  }
}

function openai(target: ChatTarget): OpenAI {
  return new OpenAI({ baseURL: `${target.url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
}

/** The body as the SDK sends it; extensions such as `enable_thinking` and `partial` go as they are. */
function openaiBody(target: ChatTarget, call: ChatCall): ChatCall & { model: string } {
  return { ...call, model: target.model };
}

async function openaiBlocking(target: ChatTarget, call: ChatCall): Promise<Answer> {
  const completion = await openai(target).chat.completions.create(openaiBody(target, call) as OpenAI.ChatCompletionCreateParamsNonStreaming);
  expect(completion).toMatchObject({ object: 'chat.completion', model: target.model, id: expect.any(String) });
  const folder = new ChoiceFolder();
  completion.choices.forEach((choice, position) => folder.add(choice as ChoiceDelta, position));
  const usage = completion.usage as OpenAI.CompletionUsage;
  return { choices: folder.result(), usage: { prompt: usage.prompt_tokens, completion: usage.completion_tokens, total: usage.total_tokens } };
}

async function openaiStreamed(target: ChatTarget, call: ChatCall): Promise<Answer> {
  const stream = await openai(target).chat.completions.create({ ...openaiBody(target, call), stream: true, stream_options: { include_usage: true } } as OpenAI.ChatCompletionCreateParamsStreaming);
  const folder = new ChoiceFolder();
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: target.model });
    // Usage comes once, in a last chunk with no choices.
    expect(usage).toBeUndefined();
    chunk.choices.forEach((choice, position) => folder.add(choice as ChoiceDelta, position));
    if (chunk.usage) {
      expect(chunk.choices).toEqual([]);
      usage = chunk.usage;
    }
  }
  if (usage === undefined) throw new Error('the stream reported no usage');
  return { choices: folder.result(), usage: { prompt: usage.prompt_tokens, completion: usage.completion_tokens, total: usage.total_tokens } };
}

interface NativePacket {
  readonly request_id: string;
  readonly output: { readonly choices: readonly ChoiceDelta[] };
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number; readonly total_tokens: number };
}

function nativeBody(target: ChatTarget, { messages, ...parameters }: ChatCall, extra: Record<string, unknown> = {}): unknown {
  return { model: target.model, input: { messages }, parameters: { result_format: 'message', ...parameters, ...extra } };
}

function nativeAnswer(choices: AnsweredChoice[], usage: NativePacket['usage']): Answer {
  return { choices, usage: { prompt: usage.input_tokens, completion: usage.output_tokens, total: usage.total_tokens } };
}

async function nativeBlocking(target: ChatTarget, call: ChatCall): Promise<Answer> {
  const response = await callGeneration(target.url, { body: nativeBody(target, call) });
  const body = (await response.json()) as NativePacket;
  expect(response.status, JSON.stringify(body)).toBe(200);
  expect(body.request_id).toEqual(expect.any(String));
  const folder = new ChoiceFolder();
  body.output.choices.forEach((choice, position) => folder.add(choice, position));
  return nativeAnswer(folder.result(), body.usage);
}

async function nativeStreamed(target: ChatTarget, call: ChatCall): Promise<Answer> {
  const response = await callGeneration(target.url, { body: nativeBody(target, call, { incremental_output: true }), headers: { 'X-DashScope-SSE': 'enable' } });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const packets = parseSse(text).map((event) => JSON.parse(event.data) as NativePacket);
  const folder = new ChoiceFolder();
  for (const packet of packets) packet.output.choices.forEach((choice, position) => folder.add(choice, position));
  const last = packets.at(-1);
  if (last === undefined) throw new Error('the stream sent no packets');
  return nativeAnswer(folder.result(), last.usage);
}

export const CHAT_MODES = {
  'openai blocking': openaiBlocking,
  'openai streamed': openaiStreamed,
  'native blocking': nativeBlocking,
  'native streamed': nativeStreamed,
} satisfies Record<string, (target: ChatTarget, call: ChatCall) => Promise<Answer>>;

export type ChatMode = keyof typeof CHAT_MODES;

export const CHAT_MODE_NAMES = Object.keys(CHAT_MODES) as ChatMode[];

export function chat(mode: ChatMode, target: ChatTarget, call: ChatCall): Promise<Answer> {
  return CHAT_MODES[mode](target, call);
}
