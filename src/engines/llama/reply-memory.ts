// Remembers the tokens behind the replies a model gave, so a later turn that sends a reply back is evaluated as those
// very tokens, and a sequence that holds them in its cache reuses them.
import type { Token } from 'node-llama-cpp';

/**
 * The text a client gets is not always what its tokens would be if the text were tokenized again: the whitespace
 * around an answer is trimmed, and a model may write a character in pieces or a word in other tokens than the
 * tokenizer would choose. Tokenized again, a follow-up turn would differ from the cached reply from that point on,
 * and all that follows would be evaluated anew. The model's own tokens are also the more faithful history.
 */
export class ReplyMemory {
  /** Reply text → its tokens, least recently used first. */
  readonly #replies = new Map<string, readonly Token[]>();

  constructor(
    private readonly capacity: number,
    private readonly detokenize: (tokens: readonly Token[]) => string,
  ) {}

  /** Records a reply whose tokens detokenize to `text`, give or take the whitespace around it. */
  remember(text: string, tokens: readonly Token[]): void {
    if (text === '' || this.detokenize(tokens).trim() !== text) return;
    this.#replies.delete(text);
    this.#replies.set(text, tokens.slice());
    if (this.#replies.size > this.capacity) this.#replies.delete(this.#replies.keys().next().value as string);
  }

  /** The tokens of a reply given earlier with exactly this text. */
  tokensOf(text: string): readonly Token[] | undefined {
    const tokens = this.#replies.get(text);
    if (tokens === undefined) return undefined;
    this.#replies.delete(text);
    this.#replies.set(text, tokens);
    return tokens;
  }
}
