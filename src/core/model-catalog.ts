// A catalog entry as the router sees it: the names a model answers to, its limits, defaults and price.
import type { SamplingOptions } from './chat-request.js';

/** Prices per million tokens for prompts of up to `maxInputTokens` tokens (the last tier: any length). */
export interface PriceTier {
  readonly maxInputTokens?: number;
  readonly input: number;
  readonly output: number;
  /** Output price when the reply was generated with thinking on; absent: `output`. */
  readonly thinkingOutput?: number;
}

export interface ModelPrice {
  /** ISO 4217 code, e.g. `USD`. */
  readonly currency: string;
  /** From short prompts to long ones. */
  readonly tiers: readonly PriceTier[];
}

export interface ModelDefaults extends Omit<SamplingOptions, 'seed'> {
  /** Put before the messages of a request that has none; `null`: no system prompt. */
  readonly systemPrompt: string | null;
}

export interface ThinkingSupport {
  readonly supported: boolean;
  /** What a request that does not say gets; absent: the model's chat template decides. */
  readonly default?: 'on' | 'off';
}

export interface CatalogEntry {
  /** The canonical name; requests may also use an alias. */
  readonly name: string;
  readonly aliases: readonly string[];
  /** Tokens of one request, prompt and output together. */
  readonly context: number;
  readonly maxOutputTokens?: number;
  readonly maxInputTokens?: number;
  readonly price?: ModelPrice;
  readonly defaults: ModelDefaults;
  readonly thinking: ThinkingSupport;
  /** Accepts images in user messages (an upstream vision model); a request with images to any other model is a 400. */
  readonly vision: boolean;
  /** Catalog models, in order, that serve a request this one cannot take before its first byte (no endpoint up, queue full). */
  readonly fallbacks: readonly string[];
}

export function answersTo(entry: CatalogEntry, name: string): boolean {
  return entry.name === name || entry.aliases.includes(name);
}
