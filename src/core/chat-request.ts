// The neutral chat request every wire format decodes into and every engine consumes.

/** A JSON Schema document, as clients send it for tool parameters and structured output. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments as JSON text, exactly as the model wrote them. */
  readonly arguments: string;
}

/** A piece of a user message that holds images: text, or an image by `https:`/`http:` URL or `data:` URL. */
export type ContentPart = { readonly type: 'text'; readonly text: string } | { readonly type: 'image'; readonly url: string };

export type ChatMessage =
  | {
      readonly role: 'system' | 'user';
      /** The message's text; for a message with images, its text parts joined. */
      readonly content: string;
      /** User messages with images only: text and images in the order the client sent them. */
      readonly parts?: readonly ContentPart[];
    }
  | {
      readonly role: 'assistant';
      readonly content: string;
      readonly toolCalls?: readonly ToolCall[];
      /** The last message only: a start of the reply that the model continues (Model Studio's partial mode). */
      readonly partial?: boolean;
    }
  | { readonly role: 'tool'; readonly content: string; readonly toolCallId: string };

export type ChatRole = ChatMessage['role'];

export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: JsonSchema;
}

/** `auto`: the model decides; `none`: never call; `required`: call one of the tools; `{name}`: call that one. */
export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly schema: JsonSchema };

export interface ThinkingOptions {
  readonly enabled: boolean;
  /** Most reasoning tokens before the answer is forced to begin. */
  readonly budgetTokens?: number;
}

/** Sampling controls; an absent field means "the engine's default". */
export interface SamplingOptions {
  /** 0 means greedy decoding. */
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly seed?: number;
  /** Multiplicative penalty (> 0, 1 = off) on tokens already generated, as llama.cpp's repeat penalty. */
  readonly repetitionPenalty?: number;
  /** Subtracted once from the logit of every token already generated. */
  readonly presencePenalty?: number;
  /** Subtracted from a token's logit once per time it was already generated. */
  readonly frequencyPenalty?: number;
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly sampling: SamplingOptions;
  /** Upper bound on generated tokens; absent means "as many as the context allows". */
  readonly maxTokens?: number;
  /** Texts that end generation; the matched text is never returned. */
  readonly stop: readonly string[];
  readonly tools?: readonly ToolDefinition[];
  /** Absent: `auto` when there are tools. */
  readonly toolChoice?: ToolChoice;
  /** Whether the model may answer with several calls at once (default: one). */
  readonly parallelToolCalls?: boolean;
  /** Absent: free text. */
  readonly responseFormat?: ResponseFormat;
  /** Absent: the model's own default. */
  readonly thinking?: ThinkingOptions;
  /** Answers to generate for the one prompt (default 1). */
  readonly n?: number;
  /** Report each answer token's log-probability with this many alternatives (0–20); absent: none. */
  readonly logprobs?: { readonly topLogprobs: number };
  /** Token sequences that end generation, as the native wire's integer `stop` lists give them. */
  readonly stopTokens?: readonly (readonly number[])[];
}

/** Whether any message carries an image: only models marked `vision` accept such a request. */
export function hasImages(request: Pick<ChatRequest, 'messages'>): boolean {
  return request.messages.some((message) => 'parts' in message && message.parts?.some((part) => part.type === 'image') === true);
}
