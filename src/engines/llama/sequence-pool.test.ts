import type { LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreemptedError, RateLimitedError } from '../../core/errors.js';
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

describe('SequencePool priorities', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    model = (await tinyContext({ contextSize: 256, sequences: 1, threads: 1 })).model;
  });
  afterAll(() => model?.llama.dispose());

  const signal = new AbortController().signal;
  const batch = { signal, priority: 'batch' as const };
  /** A pool on a context of its own, with room for live requests to queue. */
  const pool = async (sequences: number): Promise<SequencePool> =>
    new SequencePool(await model.createContext({ contextSize: 256, sequences, threads: 1 }), { maxWaiting: 4, maxWaitMs: 60_000 });
  const settled = <T>(promise: Promise<T>): { value?: T } => {
    const state: { value?: T } = {};
    void promise.then((value) => (state.value = value));
    return state;
  };
  /** Lets granted leases reach their requests. */
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const first = (lease: SequenceLease | undefined): LlamaContextSequence | undefined => lease?.sequences[0];

  it('lets batch work use every sequence while no live request comes', async () => {
    const sequences = await pool(4);
    const leases = await Promise.all([0, 1, 2, 3].map(() => sequences.acquire(batch)));
    expect(sequences.inUse).toBe(4);
    expect(sequences.batchInUse).toBe(4);
    expect(leases.some((lease) => lease.preempted.aborted)).toBe(false);
    // A fifth line waits, with no queue limit or timeout of its own, and takes the first sequence given back.
    const fifth = settled(sequences.acquire(batch));
    await settle();
    expect(sequences.batchWaiting).toBe(1);
    leases[0]?.[Symbol.dispose]();
    await settle();
    expect(first(fifth.value)).toBe(first(leases[0]));
  });

  it('gives a live request the sequence of the newest batch lease, preempting that one only', async () => {
    const sequences = await pool(3);
    const leases = [await sequences.acquire(batch), await sequences.acquire(batch), await sequences.acquire(batch)];
    const live = settled(sequences.acquire({ signal }));
    await settle();
    expect(leases.map((lease) => lease.preempted.aborted)).toEqual([false, false, true]);
    expect(leases[2]?.preempted.reason).toBeInstanceOf(PreemptedError);
    expect(sequences.waiting).toBe(1);
    // A second live request preempts the next one; nothing is handed out before a holder lets go.
    const second = settled(sequences.acquire({ signal }));
    await settle();
    expect(leases.map((lease) => lease.preempted.aborted)).toEqual([false, true, true]);
    leases[2]?.[Symbol.dispose]();
    await settle();
    expect(first(live.value)).toBe(first(leases[2]));
    expect(live.value?.preempted.aborted).toBe(false);
    expect(second.value).toBeUndefined();
    leases[1]?.[Symbol.dispose]();
    await settle();
    expect(first(second.value)).toBe(first(leases[1]));
  });

  it('serves every live waiter before any batch waiter, whichever came first', async () => {
    const sequences = await pool(2);
    const held = [await sequences.acquire({ signal }), await sequences.acquire({ signal })];
    const batchLine = settled(sequences.acquire(batch));
    const live = settled(sequences.acquire({ signal }));
    // A batch line asking while a live request waits goes behind it, even with a sequence free.
    held[0]?.[Symbol.dispose]();
    await settle();
    expect(first(live.value)).toBe(first(held[0]));
    expect(batchLine.value).toBeUndefined();
    held[1]?.[Symbol.dispose]();
    await settle();
    expect(first(batchLine.value)).toBe(first(held[1]));
  });

  it('lets a live request past a queue limit of 0 when preempting batch work makes room', async () => {
    const sequences = new SequencePool(await model.createContext({ contextSize: 256, sequences: 1, threads: 1 }), { maxWaiting: 0, maxWaitMs: 60_000 });
    const line = await sequences.acquire(batch);
    const live = sequences.acquire({ signal });
    expect(line.preempted.aborted).toBe(true);
    line[Symbol.dispose]();
    expect(first(await live)).toBe(first(line));
    await expect(sequences.acquire({ signal })).rejects.toBeInstanceOf(RateLimitedError);
  });
});
