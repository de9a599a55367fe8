// Pulls an async iterable as fast as it yields, keeping values until the consumer asks for them.

/**
 * The producer runs ahead of a slow consumer instead of waiting on it: a stream of tokens keeps its
 * place in a shared batch while its HTTP client reads slowly. Memory grows only with what the
 * source yields (a reply is bounded by its token limit). Stopping the consumer stops the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const buffered: IteratorResult<T>[] = [];
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let stopped = false;

  const pump = (async () => {
    try {
      for (;;) {
        const result = await iterator.next();
        buffered.push(result);
        wake?.();
        if (result.done === true || stopped) return;
      }
    } catch (error) {
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
    await iterator.return?.();
    await pump;
  }
}
