// Holds back streamed text that could still become a stop string, so no delta ever leaks part of one.

export interface StopTextStep {
  /** Text that is safe to send now. */
  readonly emit: string;
  /** True once a stop string matched; `emit` then holds the text before it and nothing more follows. */
  readonly stopped: boolean;
}

export class StopTextBuffer {
  readonly #stops: readonly string[];
  #held = '';

  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((stop) => stop.length > 0);
  }

  push(text: string): StopTextStep {
    this.#held += text;
    const match = this.#earliestMatch();
    if (match !== -1) {
      const emit = this.#held.slice(0, match);
      this.#held = '';
      return { emit, stopped: true };
    }
    const keep = this.#longestPendingPrefix();
    const emit = this.#held.slice(0, this.#held.length - keep);
    this.#held = this.#held.slice(this.#held.length - keep);
    return { emit, stopped: false };
  }

  /** The text still held when generation ended without a stop string. */
  flush(): string {
    const rest = this.#held;
    this.#held = '';
    return rest;
  }

  #earliestMatch(): number {
    let earliest = -1;
    for (const stop of this.#stops) {
      const index = this.#held.indexOf(stop);
      if (index !== -1 && (earliest === -1 || index < earliest)) earliest = index;
    }
    return earliest;
  }

  /** Length of the longest tail of the held text that is the beginning of some stop string. */
  #longestPendingPrefix(): number {
    let longest = 0;
    for (const stop of this.#stops) {
      const max = Math.min(stop.length - 1, this.#held.length);
      for (let length = max; length > longest; length--) {
        if (this.#held.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
