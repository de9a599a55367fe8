// Splits a model's streamed output into reasoning, answer text and tool calls by its chat format's tags.
import { MarkerSplitter } from '../../lib/marker-splitter.js';

export interface ResponseTags {
  readonly thinkOpen: string;
  readonly thinkClose: string;
  readonly toolCallOpen: string;
  readonly toolCallClose: string;
}

/** Qwen's chat format (Qwen2.5 and Qwen3), as its template and node-llama-cpp's Qwen wrapper write it. */
export const QWEN_TAGS: ResponseTags = { thinkOpen: '<think>', thinkClose: '</think>', toolCallOpen: '<tool_call>', toolCallClose: '</tool_call>' };

export interface ParsedToolCall {
  readonly name: string;
  /** JSON text of the arguments object. */
  readonly arguments: string;
}

export type ResponsePart =
  | { readonly type: 'reasoning'; readonly text: string }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool-call'; readonly call: ParsedToolCall };

export type ResponseState = 'answer' | 'reasoning' | 'tool-call';

export interface ResponseParserOptions {
  /** Where the output starts: the prompt may already have opened a thought or a tool call. */
  readonly initialState: ResponseState;
  /** Recognise `<think>` at the start of the answer. */
  readonly thinking: boolean;
  /** Recognise `<tool_call>` blocks. */
  readonly tools: boolean;
}

/** `{"name": …, "arguments": {…}}` as Qwen writes a call; anything else is not a call. */
function parseToolCall(json: string): ParsedToolCall | undefined {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || !('name' in value) || typeof value.name !== 'string') return undefined;
    const args = 'arguments' in value ? value.arguments : {};
    return { name: value.name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) };
  } catch {
    return undefined;
  }
}

/**
 * A segment's text without the whitespace that the format puts around tags: leading whitespace is
 * dropped, and trailing whitespace is held until more text shows it is inside the segment.
 */
class SegmentText {
  #started = false;
  #pendingSpace = '';

  push(text: string): string {
    const body = this.#started ? this.#pendingSpace + text : text.trimStart();
    if (body === '') return '';
    this.#started = true;
    const trimmed = body.trimEnd();
    this.#pendingSpace = body.slice(trimmed.length);
    return trimmed;
  }
}

export class ResponseParser {
  readonly #tags: ResponseTags;
  readonly #options: ResponseParserOptions;
  readonly #splitter: MarkerSplitter;
  #state: ResponseState;
  #segment = new SegmentText();
  #answerStarted = false;
  #toolCallText = '';

  constructor(tags: ResponseTags, options: ResponseParserOptions) {
    this.#tags = tags;
    this.#options = options;
    this.#state = options.initialState;
    this.#splitter = new MarkerSplitter([tags.thinkOpen, tags.thinkClose, tags.toolCallOpen, tags.toolCallClose]);
  }

  get state(): ResponseState {
    return this.#state;
  }

  push(text: string): ResponsePart[] {
    return this.#splitter.push(text).flatMap((part) => ('marker' in part ? this.#marker(part.marker) : this.#text(part.text)));
  }

  /** Whatever is still open when generation ends: an unfinished tool call stays text. */
  end(): ResponsePart[] {
    const parts = this.#text(this.#splitter.flush());
    if (this.#state === 'tool-call') parts.push(...this.#finishToolCall(false));
    return parts;
  }

  #enter(state: ResponseState): void {
    this.#state = state;
    this.#segment = new SegmentText();
  }

  #marker(marker: string): ResponsePart[] {
    const tags = this.#tags;
    if (this.#state === 'answer' && marker === tags.thinkOpen && this.#options.thinking && !this.#answerStarted) {
      this.#enter('reasoning');
      return [];
    }
    if (this.#state === 'reasoning' && marker === tags.thinkClose) {
      this.#enter('answer');
      return [];
    }
    if (this.#state === 'answer' && marker === tags.toolCallOpen && this.#options.tools) {
      this.#state = 'tool-call';
      return [];
    }
    if (this.#state === 'tool-call' && marker === tags.toolCallClose) return this.#finishToolCall(true);
    // A tag with no meaning where it stands is just text.
    return this.#text(marker);
  }

  #text(text: string): ResponsePart[] {
    if (text === '') return [];
    if (this.#state === 'tool-call') {
      this.#toolCallText += text;
      return [];
    }
    const visible = this.#segment.push(text);
    if (visible === '') return [];
    if (this.#state === 'reasoning') return [{ type: 'reasoning', text: visible }];
    this.#answerStarted = true;
    return [{ type: 'text', text: visible }];
  }

  #finishToolCall(closed: boolean): ResponsePart[] {
    const json = this.#toolCallText;
    this.#toolCallText = '';
    this.#enter('answer');
    const call = closed ? parseToolCall(json) : undefined;
    if (call !== undefined) return [{ type: 'tool-call', call }];
    // What the model wrote was not a call after all: it reaches the client as text.
    return this.#text(this.#tags.toolCallOpen + json + (closed ? this.#tags.toolCallClose : ''));
  }
}
