// Splits streamed text at marker strings, holding back any tail that could still become a marker.

export type MarkedPart = { readonly text: string } | { readonly marker: string };

export class MarkerSplitter {
  readonly #markers: readonly string[];
  #held = '';

  constructor(markers: readonly string[]) {
    this.#markers = markers.filter((marker) => marker.length > 0);
  }

  /** Text and markers in order; a text part never contains a marker or a marker's unfinished start. */
  push(text: string): MarkedPart[] {
    this.#held += text;
    const parts: MarkedPart[] = [];
    for (let match = this.#earliestMatch(); match !== undefined; match = this.#earliestMatch()) {
      if (match.index > 0) parts.push({ text: this.#held.slice(0, match.index) });
      parts.push({ marker: match.marker });
      this.#held = this.#held.slice(match.index + match.marker.length);
    }
    const keep = this.#longestPendingPrefix();
    if (this.#held.length > keep) parts.push({ text: this.#held.slice(0, this.#held.length - keep) });
    this.#held = this.#held.slice(this.#held.length - keep);
    return parts;
  }

  /** The text still held back when the stream ended. */
  flush(): string {
    const rest = this.#held;
    this.#held = '';
    return rest;
  }

  #earliestMatch(): { index: number; marker: string } | undefined {
    let earliest: { index: number; marker: string } | undefined;
    for (const marker of this.#markers) {
      const index = this.#held.indexOf(marker);
      if (index !== -1 && (earliest === undefined || index < earliest.index)) earliest = { index, marker };
    }
    return earliest;
  }

  /** Length of the longest tail of the held text that is the beginning of some marker. */
  #longestPendingPrefix(): number {
    let longest = 0;
    for (const marker of this.#markers) {
      for (let length = Math.min(marker.length - 1, this.#held.length); length > longest; length--) {
        if (this.#held.endsWith(marker.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
