// Refuses a prompt too long for the context before tokenizing all of it: tokenizing megabytes holds the event loop for seconds.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SpecialTokensText, type LlamaModel, type LlamaText, type Token, type Tokenizer } from 'node-llama-cpp';
import { ClientAbortedError, ContextLengthExceededError } from '../../core/errors.js';

/** Characters tokenized between two turns of the event loop: tens of milliseconds for the slowest text. */
const CHUNK_CHARS = 16_384;

/** Tokens a text cut in two may count beyond the whole: the cut word's pieces, one or two in practice. */
const CUT_SLACK = 4;

/**
 * The most bytes of text one token stands for. A token's entry in the vocabulary is never shorter in
 * UTF-8 than the text it stands for (a byte-level BPE writes each byte as one character of one or two
 * bytes, SentencePiece a space as `▁` and a byte as `<0x..>`), and a UTF-16 unit is at most three
 * bytes of UTF-8, so only the few entries longer than a third of the longest text found need detokenizing.
 */
function longestTokenBytes(model: LlamaModel): number {
  const entries = model.fileInfo.metadata.tokenizer.ggml.tokens;
  const bytesOf = (token: number): number => Buffer.byteLength(model.detokenize([token as Token], true));
  let widest = 0;
  entries.forEach((entry, token) => {
    if (entry.length > (entries[widest]?.length ?? 0)) widest = token;
  });
  let longest = Math.max(1, bytesOf(widest));
  entries.forEach((entry, token) => {
    if (entry.length * 3 > longest) longest = Math.max(longest, bytesOf(token));
  });
  return longest;
}

/** The prompt's text as the tokenizer takes it: plain text runs between texts whose special tokens are parsed. */
function* segmentsOf(prompt: LlamaText): Generator<{ text: string; special: boolean }> {
  let run = '';
  for (const value of prompt.values) {
    if (typeof value === 'string') {
      run += value;
    } else if (value instanceof SpecialTokensText) {
      if (run !== '') yield { text: run, special: false };
      run = '';
      yield { text: value.value, special: true };
    }
  }
  if (run !== '') yield { text: run, special: false };
}

/** Where a chunk starting at `start` ends: never between the two halves of a surrogate pair. */
function chunkEnd(text: string, start: number): number {
  const end = Math.min(text.length, start + CHUNK_CHARS);
  const last = text.charCodeAt(end - 1);
  return end < text.length && last >= 0xd800 && last <= 0xdbff ? end + 1 : end;
}

export class PromptLengthGuard {
  readonly #tokenizer: Tokenizer;
  /** Every token stands for at most this many bytes of text, so a text has at least its bytes / this many tokens. */
  readonly longestTokenBytes: number;

  constructor(model: LlamaModel) {
    this.#tokenizer = model.tokenizer;
    this.longestTokenBytes = longestTokenBytes(model);
  }

  /**
   * Throws ContextLengthExceededError for a prompt of more than `maxTokens` tokens, doing work bounded by
   * `maxTokens` rather than by the prompt's size: first from its length alone, then by counting the
   * tokens of a long prompt chunk by chunk, with the event loop free between chunks, until they are
   * clearly too many. A prompt it lets through may still be a little too long: the caller counts exactly.
   */
  async check(prompt: LlamaText, maxTokens: number, signal: AbortSignal): Promise<void> {
    const segments = [...segmentsOf(prompt)];
    const bytes = segments.reduce((sum, segment) => sum + Buffer.byteLength(segment.text), 0);
    const atLeast = Math.ceil(bytes / this.longestTokenBytes);
    if (atLeast > maxTokens) throw new ContextLengthExceededError(atLeast, maxTokens, true);
    // A short prompt is tokenized exactly at once, quickly.
    if (segments.reduce((sum, segment) => sum + segment.text.length, 0) <= CHUNK_CHARS) return;

    let counted = 0;
    let cuts = 0;
    for (const { text, special } of segments) {
      for (let start = 0, end = 0; start < text.length; start = end) {
        end = chunkEnd(text, start);
        if (start > 0) cuts++;
        counted += this.#tokenizer(text.slice(start, end), special, counted > 0 ? 'trimLeadingSpace' : undefined).length;
        const surely = counted - cuts * CUT_SLACK;
        if (surely > maxTokens) throw new ContextLengthExceededError(surely, maxTokens, true);
        await nextTurn();
        if (signal.aborted) throw new ClientAbortedError();
      }
    }
  }
}
