// The neutral chat request every wire format decodes into and every engine consumes.

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
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
}
