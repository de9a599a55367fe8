// Ends generation at stop sequences given as token ids, holding back tokens that may begin one.
import type { Token } from 'node-llama-cpp';

export interface TokenStopStep {
  /** Tokens now known not to be part of a stop sequence, in order. */
  readonly release: readonly Token[];
  readonly stopped: boolean;
}

export class TokenStopMatcher {
  readonly #stops: readonly (readonly number[])[];
  #held: Token[] = [];

  constructor(stops: readonly (readonly number[])[]) {
    this.#stops = stops.filter((stop) => stop.length > 0);
  }

  push(token: Token): TokenStopStep {
    this.#held.push(token);
    for (let start = 0; start < this.#held.length; start++) {
      const tail = this.#held.slice(start);
      if (this.#stops.some((stop) => stop.length === tail.length && stop.every((id, index) => id === tail[index]))) {
        return { release: this.#held.slice(0, start), stopped: true };
      }
      if (this.#stops.some((stop) => stop.length > tail.length && tail.every((id, index) => id === stop[index]))) {
        const release = this.#held.slice(0, start);
        this.#held = tail;
        return { release, stopped: false };
      }
    }
    const release = this.#held;
    this.#held = [];
    return { release, stopped: false };
  }

  /** Tokens still held when generation ended without a stop. */
  flush(): Token[] {
    const rest = this.#held;
    this.#held = [];
    return rest;
  }
}
