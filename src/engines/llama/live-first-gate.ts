// Holds batch generations between steps while a live request is still on its way to its first token.
//
// Batch lines run beside live requests in one batch per step, and every token they add to a step
// slows it: on a CPU, a live prompt evaluated next to a few batch decodes takes several times as
// long. Held here, a batch line adds nothing to the steps that carry a live request's prompt, so
// that request waits for at most the step already running when it came.

export class LiveFirstGate {
  #live = 0;
  #opened: (() => void) | undefined;
  #open: Promise<void> | undefined;

  /** Live requests now held on the way to their first token. */
  get live(): number {
    return this.#live;
  }

  /** A live request on its way to its first token, until disposed (disposing twice counts once). */
  hold(): Disposable {
    this.#live++;
    let held = true;
    return {
      [Symbol.dispose]: () => {
        if (!held) return;
        held = false;
        if (--this.#live === 0) this.#release();
      },
    };
  }

  /** Resolves at once when no live request is held, else once none is, or when `signal` fires. */
  async pass(signal: AbortSignal): Promise<void> {
    if (this.#live === 0 || signal.aborted) return;
    this.#open ??= new Promise<void>((resolve) => (this.#opened = resolve));
    const open = this.#open;
    await new Promise<void>((resolve) => {
      const aborted = (): void => resolve();
      signal.addEventListener('abort', aborted, { once: true });
      void open.then(() => {
        signal.removeEventListener('abort', aborted);
        resolve();
      });
    });
  }

  #release(): void {
    this.#opened?.();
    this.#opened = undefined;
    this.#open = undefined;
  }
}
