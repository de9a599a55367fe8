import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyContext } from '../../../test/support/tiny-context.js';
import { SequencePool, type SequenceLease } from './sequence-pool.js';

describe('SequencePool', () => {
  let context: LlamaContext;
  let order: LlamaContextSequence[];
  beforeAll(async () => {
    context = await tinyContext({ contextSize: 256, sequences: 8, threads: 1 });
  });
  afterAll(() => context?.model.llama.dispose());

  const signal = new AbortController().signal;
  const ids = (leases: readonly SequenceLease[]): number[] => leases.flatMap((lease) => lease.sequences.map((sequence) => order.indexOf(sequence))).sort((a, b) => a - b);

  it('keeps the sequences in use on consecutive ids, and otherwise hands out the least recently released', async () => {
    const pool = new SequencePool(context, { maxWaiting: 0, maxWaitMs: 1000 });
    order = [...pool.idle];
    // Single requests one after the other rotate through the sequences, least recently released first.
    const rotated: number[] = [];
    for (let request = 0; request < 6; request++) {
      using lease = await pool.acquire({ signal });
      rotated.push(...ids([lease]));
    }
    expect(rotated).toEqual([0, 1, 2, 3, 4, 5]);
    // A burst then takes a run of neighbours, not the four coldest (6, 7, 0, 1), which llama.cpp would compute in two passes.
    const burst = [await pool.acquire({ signal }), await pool.acquire({ signal }), await pool.acquire({ signal }), await pool.acquire({ signal })];
    const taken = ids(burst);
    expect(taken.at(-1)! - taken[0]!).toBe(3);
    // A hole left by a finished stream inside the run is filled before anything else.
    const inner = burst.find((lease) => ![taken[0], taken.at(-1)].includes(ids([lease])[0]));
    inner?.[Symbol.dispose]();
    const next = await pool.acquire({ signal });
    expect(ids([next])).toEqual(ids([inner!]));
  });
});
