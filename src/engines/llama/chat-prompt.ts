// Renders a chat with the model's own chat template into the exact tokens the model will evaluate.
import {
  LlamaText,
  SpecialTokensText,
  type ChatHistoryItem,
  type ChatModelFunctionCall,
  type ChatModelFunctions,
  type ChatModelResponse,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type { ChatMessage, ChatRequest, ToolCall } from '../../core/chat-request.js';
import { InvalidRequestError } from '../../core/errors.js';
import { quoteClientText } from '../../lib/quote-client-text.js';
import type { ChatFormat } from './chat-format.js';
import type { ReplyMemory } from './reply-memory.js';
import type { ResponseState } from './response-parser.js';

export interface PromptPlan {
  readonly tokens: Token[];
  /** Where the reply starts: inside a tool call when the prompt opened one. */
  readonly initialState: ResponseState;
  /** The model is free to think before it answers. */
  readonly thinking: boolean;
  /** Tools the model was shown. */
  readonly toolsOffered: boolean;
}

function parseArguments(call: ToolCall): unknown {
  try {
    return JSON.parse(call.arguments);
  } catch (error) {
    throw new InvalidRequestError(`The arguments of tool call ${quoteClientText(call.id)} are not valid JSON.`, undefined, { cause: error });
  }
}

/** Tool results follow the assistant message that made the calls; the template shows each call with its result. */
function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const message of messages) if (message.role === 'tool') results.set(message.toolCallId, message.content);
  const answered = new Set<string>();
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    if (message.role === 'tool') {
      if (!answered.has(message.toolCallId)) {
        throw new InvalidRequestError(`The tool message for ${quoteClientText(message.toolCallId)} does not follow an assistant message with that tool call.`, 'messages');
      }
    } else if (message.role === 'assistant') {
      const calls = (message.toolCalls ?? []).map((call): ChatModelFunctionCall => {
        const result = results.get(call.id);
        if (result === undefined) throw new InvalidRequestError(`Tool call ${quoteClientText(call.id)} has no tool message with its result.`, 'messages');
        answered.add(call.id);
        return { type: 'functionCall', name: call.name, params: parseArguments(call), result };
      });
      const response: ChatModelResponse['response'] = [...(message.content === '' ? [] : [message.content]), ...calls];
      history.push({ type: 'model', response });
    } else {
      history.push({ type: message.role, text: message.content });
    }
  }
  return history;
}

function availableFunctions(request: ChatRequest): ChatModelFunctions | undefined {
  if (request.tools === undefined || request.tools.length === 0 || request.toolChoice === 'none') return undefined;
  return Object.fromEntries(
    request.tools.map((tool) => [tool.name, { ...(tool.description === undefined ? {} : { description: tool.description }), params: tool.parameters as never }]),
  );
}

/**
 * The start of the reply a partial assistant message gives: its thought (written with the format's
 * tags) becomes a thought segment, so the template writes it as the model would have.
 */
function partialResponse(content: string, format: ChatFormat): { response: ChatModelResponse['response']; initialState: ResponseState } {
  const tags = format.tags;
  const start = content.trimStart();
  if (tags === undefined || !format.canThink || !start.startsWith(tags.thinkOpen)) return { response: [content], initialState: 'answer' };
  const thought = start.slice(tags.thinkOpen.length);
  const close = thought.indexOf(tags.thinkClose);
  if (close === -1) return { response: [{ type: 'segment', segmentType: 'thought', text: thought.trim(), ended: false }], initialState: 'reasoning' };
  const answer = thought.slice(close + tags.thinkClose.length).trimStart();
  return {
    response: [{ type: 'segment', segmentType: 'thought', text: thought.slice(0, close).trim(), ended: true }, ...(answer === '' ? [] : [answer])],
    initialState: 'answer',
  };
}

/** A forced call (`required` or a named tool) is written by the prompt up to its opening tag. */
export function isForcedToolCall(request: ChatRequest): boolean {
  return (request.tools?.length ?? 0) > 0 && (request.toolChoice === 'required' || typeof request.toolChoice === 'object');
}

/** Appends one by one: spreading a long prompt's tokens into `push` overflows the call stack. */
function append(tokens: Token[], more: readonly Token[]): void {
  for (const token of more) tokens.push(token);
}

/**
 * The prompt's tokens, with each earlier reply whose tokens `replyTokens` knows written as those tokens. A reply is
 * spliced only where the template writes it as a value of its own between special tokens, so the tokens around it
 * are the ones the whole text would give.
 */
function tokenizePrompt(model: LlamaModel, prompt: LlamaText, replyTokens: (value: string) => readonly Token[] | undefined): Token[] {
  const values = prompt.values;
  const tokens: Token[] = [];
  let run: LlamaText['values'][number][] = [];
  const flush = (): void => {
    // Text after the first value is tokenized as a continuation, as LlamaText.tokenize does for the whole.
    if (run.length > 0) append(tokens, LlamaText(run).tokenize(model.tokenizer, tokens.length > 0 ? 'trimLeadingSpace' : undefined));
    run = [];
  };
  values.forEach((value, index) => {
    const standalone = typeof values[index - 1] !== 'string' && typeof values[index + 1] !== 'string';
    const reply = typeof value === 'string' && standalone ? replyTokens(value) : undefined;
    if (reply === undefined) {
      run.push(value);
    } else {
      flush();
      append(tokens, reply);
    }
  });
  flush();
  return tokens;
}

/** A request written with the chat template, before it is tokenized. */
export interface PromptDraft extends Omit<PromptPlan, 'tokens'> {
  readonly prompt: LlamaText;
  /** The texts of the earlier replies, which are written as the tokens they were generated as. */
  readonly replyTexts: ReadonlySet<string>;
}

/**
 * The history ends with an empty model turn so the template opens the assistant's reply. Thinking
 * is off whenever the reply's shape is forced (structured output, a forced tool call), because a
 * grammar then governs the reply from its first token.
 */
export function draftPrompt(format: ChatFormat, request: ChatRequest): PromptDraft {
  const functions = availableFunctions(request);
  if (functions !== undefined && format.tags === undefined) {
    throw new InvalidRequestError(`The model ${request.model} does not support tools.`, 'tools');
  }
  const forced = isForcedToolCall(request);
  const last = request.messages.at(-1);
  const partial = last?.role === 'assistant' && last.partial === true ? partialResponse(last.content, format) : undefined;
  const earlier = partial === undefined ? request.messages : request.messages.slice(0, -1);
  const history = toHistory(earlier);
  // A reply that already opened a thought goes on thinking, whatever the request's default.
  const structured = request.responseFormat !== undefined && request.responseFormat.type !== 'text';
  const thinking = partial?.initialState === 'reasoning' || (format.canThink && !forced && !structured && (request.thinking?.enabled ?? true));
  const wrapper = thinking ? format.wrapper : format.noThinkWrapper;
  const chatHistory: ChatHistoryItem[] = [...history, { type: 'model', response: partial?.response ?? [] }];
  const { contextText } = wrapper.generateContextState({ chatHistory, ...(functions === undefined ? {} : { availableFunctions: functions }) });
  const prompt = forced && format.tags !== undefined ? LlamaText([contextText, new SpecialTokensText(`${format.tags.toolCallOpen}\n`)]) : contextText;
  const initialState = forced ? 'tool-call' : (partial?.initialState ?? 'answer');
  const replyTexts = new Set(earlier.flatMap((message) => (message.role === 'assistant' ? [message.content] : [])));
  return { prompt, replyTexts, initialState, thinking, toolsOffered: functions !== undefined };
}

/**
 * Message text is tokenized as plain text: a user who types `<|im_start|>` cannot forge a turn. A
 * reply the model gave earlier is written as the tokens it was generated as, which the memory only
 * keeps when they hold no special token its text does not show.
 */
export function planPrompt(model: LlamaModel, draft: PromptDraft, replies: ReplyMemory): PromptPlan {
  const { prompt, replyTexts, ...plan } = draft;
  return { ...plan, tokens: tokenizePrompt(model, prompt, (value) => (replyTexts.has(value) ? replies.tokensOf(value) : undefined)) };
}
