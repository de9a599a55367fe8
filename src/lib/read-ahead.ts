// Pulls an async iterable as fast as it yields, keeping values until the consumer asks for them.

/**
 * The producer runs ahead of a slow consumer instead of waiting on it: a stream of tokens keeps its
 * place in a shared batch while its HTTP client reads slowly. Memory grows only with what the
 * source yields (a reply is bounded by its token limit). Stopping the consumer stops the source.
 *
 * `onSourceEnd` is called once the source is finished with, before the consumer has taken what is
 * buffered: with `true` when it ran to its end, `false` when it failed or the consumer stopped it
 * (then only once its own cleanup is done). The source's resources can be freed there, while a slow
 * consumer still reads.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, onSourceEnd?: (completed: boolean) => void): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const buffered: IteratorResult<T>[] = [];
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let stopped = false;
  let ended = false;
  const end = (completed: boolean): void => {
    if (ended) return;
    ended = true;
    onSourceEnd?.(completed);
  };

  const pump = (async () => {
    try {
      for (;;) {
        const result = await iterator.next();
        if (result.done === true) end(true);
        buffered.push(result);
        wake?.();
        if (result.done === true || stopped) return;
      }
    } catch (error) {
      end(false);
      failure = { error };
      wake?.();
    }
  })();

  try {
    for (;;) {
      const result = buffered.shift();
      if (result === undefined) {
        if (failure !== undefined) throw failure.error;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (result.done === true) return;
      yield result.value;
    }
  } finally {
    stopped = true;
    try {
      await iterator.return?.();
      await pump;
    } finally {
      end(false);
    }
  }
}
