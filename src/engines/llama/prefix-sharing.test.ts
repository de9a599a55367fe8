import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tinyContext } from '../../../test/support/tiny-context.js';
import { ClientAbortedError } from '../../core/errors.js';
import { PrefixSharing } from './prefix-sharing.js';

/** Long enough to be worth copying. */
const prompt = Array.from({ length: 300 }, (_, index) => (100 + index) as Token);

describe('PrefixSharing', () => {
  let context: LlamaContext;
  let directory: string;
  let sequences: LlamaContextSequence[];
  beforeAll(async () => {
    context = await tinyContext({ contextSize: 512, sequences: 3, threads: 1 });
  });
  afterAll(() => context?.model.llama.dispose());
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'prefix-sharing-'));
    sequences = [context.getSequence(), context.getSequence(), context.getSequence()];
    await sequences[0]?.evaluateWithoutGeneratingNewTokens(prompt);
  });
  afterEach(async () => {
    for (const sequence of sequences) if (!sequence.disposed) sequence.dispose();
    await rm(directory, { recursive: true, force: true });
  });

  /** The first sequence announced as evaluating the prompt, the second borrowing from it. */
  function borrowing(sharing: PrefixSharing, signal: AbortSignal) {
    const [source, target] = sequences as [LlamaContextSequence, LlamaContextSequence];
    const lead = sharing.begin(source, prompt);
    const borrower = sharing.begin(target, prompt);
    return { lead, borrowed: sharing.borrow(borrower, 0, [], signal).finally(() => borrower.end()) };
  }

  it('hands a borrower the prompt that an earlier request has evaluated, and deletes the file once loaded', async () => {
    const { lead, borrowed } = borrowing(new PrefixSharing(directory), new AbortController().signal);
    await lead.stepped(prompt.length);
    lead.end();
    // All but the last token, which is evaluated with the first sampling step.
    expect(await borrowed).toBe(prompt.length - 1);
    expect(sequences[1]?.contextTokens).toEqual(prompt);
    expect(await readdir(directory)).toEqual([]);
  });

  it('deletes a copy whose borrower went away while it was being written', async () => {
    const controller = new AbortController();
    const { lead, borrowed } = borrowing(new PrefixSharing(directory), controller.signal);
    const stepped = lead.stepped(prompt.length);
    controller.abort();
    await expect(borrowed).rejects.toBeInstanceOf(ClientAbortedError);
    await stepped;
    lead.end();
    expect(await readdir(directory)).toEqual([]);
  });

  it('lets a borrower evaluate its prompt itself when the copy cannot be written', async () => {
    const { lead, borrowed } = borrowing(new PrefixSharing(join(directory, 'missing')), new AbortController().signal);
    await expect(lead.stepped(prompt.length)).rejects.toThrow();
    lead.end();
    expect(await borrowed).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  });

  it('copies a sequence into others, and deletes the file even when a load fails', async () => {
    const [source, first, second] = sequences as [LlamaContextSequence, LlamaContextSequence, LlamaContextSequence];
    const sharing = new PrefixSharing(directory);
    await sharing.copy(source, [first, second]);
    expect(first.contextTokens).toEqual(prompt);
    expect(second.contextTokens).toEqual(prompt);
    expect(await readdir(directory)).toEqual([]);

    first.dispose();
    await expect(sharing.copy(source, [first, second])).rejects.toThrow();
    expect(await readdir(directory)).toEqual([]);
  });
});

describe('PrefixSharing.inTempFolder', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'sequence-folders-'));
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  /** A process that has run and exited, so its id belongs to nobody. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    return child.pid ?? 0;
  }

  it("makes a folder named for this process and removes those of dead processes, never a live process's", async () => {
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      const dead = `studio-sequences-${await deadPid()}-Ab12Cd`;
      const kept = [`studio-sequences-${live.pid}-Ef34Gh`, `studio-sequences-${process.pid}-Ij56Kl`, 'studio-sequences-Mn78Op', 'unrelated'];
      for (const name of [dead, ...kept]) await mkdir(join(parent, name));
      await writeFile(join(parent, dead, 'state.bin'), 'left by a killed process');

      const sharing = await PrefixSharing.inTempFolder(parent);
      expect(sharing.directory.startsWith(join(parent, `studio-sequences-${process.pid}-`))).toBe(true);
      expect((await readdir(parent)).sort()).toEqual([...kept, sharing.directory.slice(parent.length + 1)].sort());
    } finally {
      live.kill();
    }
  });
});
