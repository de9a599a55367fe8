import { describe, expect, it } from 'vitest';
import { mergeAsyncIterables } from './merge-async-iterables.js';

async function* delayed<T>(values: T[], ms: number, log: string[] = [], name = ''): AsyncGenerator<T> {
  try {
    for (const value of values) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      yield value;
    }
  } finally {
    log.push(`${name} closed`);
  }
}

describe('mergeAsyncIterables', () => {
  it('yields every value of every source, as they arrive', async () => {
    const merged: string[] = [];
    for await (const value of mergeAsyncIterables([delayed(['a1', 'a2'], 5), delayed(['b1'], 1)])) merged.push(value);
    expect([...merged].sort()).toEqual(['a1', 'a2', 'b1']);
    expect(merged.indexOf('b1')).toBeLessThan(merged.indexOf('a2'));
  });

  it('stops every source when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const value of mergeAsyncIterables([delayed([1, 2, 3], 2, log, 'a'), delayed([4, 5, 6], 3, log, 'b')])) {
      if (value) break;
    }
    expect(log.sort()).toEqual(['a closed', 'b closed']);
  });

  it('passes a failure on', async () => {
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('boom');
    }
    await expect(async () => {
      for await (const _ of mergeAsyncIterables([failing(), delayed([2], 20)])) void _;
    }).rejects.toThrow('boom');
  });
});
