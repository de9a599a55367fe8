// Copies one sequence's evaluated tokens (its KV cache) into others, so a shared prompt is evaluated once.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlamaContextSequence } from 'node-llama-cpp';

/**
 * node-llama-cpp offers no in-memory copy between sequences, but saves and loads a sequence's
 * state; through a file in the temporary folder that costs far less than evaluating the prompt again.
 */
export async function copySequenceState(from: LlamaContextSequence, to: readonly LlamaContextSequence[]): Promise<void> {
  const file = join(tmpdir(), `studio-sequence-${randomUUID()}.bin`);
  try {
    await from.saveStateToFile(file);
    // The file was written by this very model a moment ago, which is the risk the flag asks about.
    for (const sequence of to) await sequence.loadStateFromFile(file, { acceptRisk: true });
  } finally {
    await rm(file, { force: true });
  }
}
