// The catalog used when no config file and no --model are given: Qwen3 GGUF models under Model Studio's names.
import type { ModelEntryInput } from './model-entry-schema.js';

/**
 * Each model is downloaded from Hugging Face the first time a request names it. Prices are Model
 * Studio's list prices for the name (USD per million tokens, international site), so usage shows
 * what the same calls would have cost there; a self-hosted model has no per-token bill.
 */
export const defaultCatalog: readonly ModelEntryInput[] = [
  {
    name: 'qwen-turbo',
    aliases: ['qwen3-0.6b'],
    source: 'hf:Qwen/Qwen3-0.6B-GGUF:Q8_0',
    maxOutputTokens: 8192,
    price: { currency: 'USD', input: 0.05, output: 0.2, thinkingOutput: 1 },
    thinking: { supported: true, default: 'off' },
  },
  {
    name: 'qwen-plus',
    aliases: ['qwen3-4b'],
    source: 'hf:Qwen/Qwen3-4B-GGUF:Q4_K_M',
    maxOutputTokens: 8192,
    price: { currency: 'USD', input: 0.4, output: 1.2, thinkingOutput: 8 },
    thinking: { supported: true, default: 'off' },
  },
  {
    name: 'qwen-max',
    aliases: ['qwen3-8b'],
    source: 'hf:Qwen/Qwen3-8B-GGUF:Q4_K_M',
    maxOutputTokens: 8192,
    price: { currency: 'USD', input: 1.6, output: 6.4 },
    // Model Studio's qwen-max has no thinking mode; clients written for it never ask for one.
    thinking: { supported: false },
  },
  {
    name: 'qwen3-1.7b',
    source: 'hf:Qwen/Qwen3-1.7B-GGUF:Q8_0',
    maxOutputTokens: 8192,
  },
];
