import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.js';

describe('readAhead', () => {
  it('yields every value in order', async () => {
    async function* source(): AsyncGenerator<number> {
      for (let value = 0; value < 5; value++) yield value;
    }
    const values: number[] = [];
    for await (const value of readAhead(source())) values.push(value);
    expect(values).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps pulling while the consumer is busy', async () => {
    let produced = 0;
    async function* source(): AsyncGenerator<number> {
      for (let value = 0; value < 3; value++) {
        produced++;
        yield value;
      }
    }
    const iterator = readAhead(source());
    expect((await iterator.next()).value).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(produced).toBe(3);
    await iterator.return(undefined);
  });

  it('passes a failure on after the values before it', async () => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      throw new Error('boom');
    }
    const values: number[] = [];
    await expect(async () => {
      for await (const value of readAhead(source())) values.push(value);
    }).rejects.toThrow('boom');
    expect(values).toEqual([1]);
  });

  it('stops the source when the consumer stops', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<number> {
      try {
        for (let value = 0; ; value++) {
          yield value;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      } finally {
        closed = true;
      }
    }
    for await (const value of readAhead(source())) if (value === 2) break;
    expect(closed).toBe(true);
  });

  it('tells when the source has run to its end, before the consumer has taken what is buffered', async () => {
    async function* source(): AsyncGenerator<number> {
      for (let value = 0; value < 3; value++) yield value;
    }
    const ends: boolean[] = [];
    const iterator = readAhead(source(), (completed) => ends.push(completed));
    expect((await iterator.next()).value).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ends).toEqual([true]);
    const rest: number[] = [];
    for await (const value of iterator) rest.push(value);
    expect(rest).toEqual([1, 2]);
    expect(ends).toEqual([true]);
  });

  it('tells of a failed source at once, before the consumer has met the failure', async () => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      throw new Error('boom');
    }
    const ends: boolean[] = [];
    const iterator = readAhead(source(), (completed) => ends.push(completed));
    expect((await iterator.next()).value).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ends).toEqual([false]);
    await expect(iterator.next()).rejects.toThrow('boom');
    expect(ends).toEqual([false]);
  });

  it('tells of a source the consumer stopped once its cleanup is done', async () => {
    const events: string[] = [];
    async function* source(): AsyncGenerator<number> {
      try {
        for (let value = 0; ; value++) {
          yield value;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      } finally {
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push('cleaned up');
      }
    }
    for await (const value of readAhead(source(), (completed) => events.push(`ended ${completed}`))) if (value === 2) break;
    expect(events).toEqual(['cleaned up', 'ended false']);
  });
});
