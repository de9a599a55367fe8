// An iterable that awaits how its iteration starts once, then hands every call straight to the iterator that start gave, with no generator in between.

/** What a start gives: the first result, already read, and the iterator that goes on from it. */
export interface Started<T> {
  readonly first: IteratorResult<T>;
  readonly rest: AsyncIterator<T>;
}

/**
 * `start` runs at the first `next()` (its rejection is that call's); that call answers with `first`,
 * and each later `next()` and `return()` goes to `rest` directly. A stop before the first `next()`
 * starts nothing. Each event passing through costs no promise or generator step of its own, which
 * matters on a proxied stream's hot path.
 */
export function startedIterable<T>(start: () => Promise<Started<T>>): AsyncIterableIterator<T> {
  let phase: 'idle' | 'starting' | 'started' | 'over' = 'idle';
  let starting: Promise<Started<T>> | undefined;
  let rest: AsyncIterator<T> | undefined;
  const over: IteratorResult<T> = { done: true, value: undefined };
  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      if (phase === 'started') return rest!.next();
      if (phase === 'over') return Promise.resolve(over);
      if (phase === 'starting') return starting!.then(() => iterator.next(), () => over);
      phase = 'starting';
      starting = start();
      return starting.then(
        (started) => {
          rest = started.rest;
          phase = started.first.done === true ? 'over' : 'started';
          return started.first;
        },
        (error: unknown) => {
          phase = 'over';
          throw error;
        },
      );
    },
    return: async () => {
      if (phase === 'starting') await starting!.then(undefined, () => undefined);
      const stopped = rest;
      phase = 'over';
      rest = undefined;
      await stopped?.return?.(undefined);
      return over;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
