// Turns generated tokens into text without ever splitting a UTF-8 character across deltas.
import type { Token } from 'node-llama-cpp';

const REPLACEMENT_CHARACTER = '\uFFFD';
/** A UTF-8 character spans at most 4 bytes, so at most 4 byte-level tokens. */
const MAX_PENDING_TOKENS = 4;

export class TokenTextDecoder {
  readonly #detokenize: (tokens: readonly Token[]) => string;
  #pending: Token[] = [];

  constructor(detokenize: (tokens: readonly Token[]) => string) {
    this.#detokenize = detokenize;
  }

  /** The text the token completes, or '' while it ends inside a multi-byte character. */
  push(token: Token): string {
    this.#pending.push(token);
    const text = this.#detokenize(this.#pending);
    if (text.endsWith(REPLACEMENT_CHARACTER) && this.#pending.length < MAX_PENDING_TOKENS) return '';
    this.#pending = [];
    return text;
  }

  /** Whatever is still pending when generation ends (an incomplete character stays replaced). */
  flush(): string {
    if (this.#pending.length === 0) return '';
    const text = this.#detokenize(this.#pending);
    this.#pending = [];
    return text;
  }
}
