// Yields the values of several async iterables as each arrives; stopping early stops them all.

export async function* mergeAsyncIterables<T>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const pull = (index: number): void => {
    pending.set(index, (iterators[index] as AsyncIterator<T>).next().then((result) => ({ index, result })));
  };
  iterators.forEach((_, index) => pull(index));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done === true) {
        pending.delete(index);
        continue;
      }
      pull(index);
      yield result.value;
    }
  } finally {
    // Whatever still runs is told to stop; one that already failed has nothing left to stop.
    await Promise.allSettled([...pending.keys()].map((index) => iterators[index]?.return?.()));
  }
}
