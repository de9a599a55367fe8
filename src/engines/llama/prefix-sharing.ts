// Lets a request copy the evaluated start of its prompt (e.g. a shared system prompt) from another sequence instead of evaluating it again.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { ClientAbortedError } from '../../core/errors.js';
import { commonPrefixLength } from '../../lib/common-prefix-length.js';
import { isProcessRunning } from '../../lib/process-running.js';

/**
 * Copying goes through a state file (node-llama-cpp has no in-memory copy between sequences): far
 * cheaper than evaluating hundreds of tokens on a CPU, not worth it for a few dozen.
 */
const MIN_SHARED_TOKENS = 256;

/** A folder of state files is named for the process that made it: `studio-sequences-<pid>-<random>`. */
const FOLDER_PREFIX = 'studio-sequences-';

/** Removes the folders of processes that were killed before they could remove their own. */
async function removeLeftovers(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => []);
  const dead = names.filter((name) => {
    const pid = Number(new RegExp(`^${FOLDER_PREFIX}(\\d+)-`).exec(name)?.[1]);
    return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !isProcessRunning(pid);
  });
  await Promise.all(dead.map((name) => rm(join(parent, name), { recursive: true, force: true })));
}

/** A state file for several sequences: each either loads it or lets it go, and the last deletes it. */
class Snapshot {
  #readers: number;
  constructor(
    readonly file: string,
    readers: number,
  ) {
    this.#readers = readers;
  }

  async loadInto(sequence: LlamaContextSequence): Promise<void> {
    try {
      // The file was written by this very model a moment ago, which is the risk the flag asks about.
      await sequence.loadStateFromFile(this.file, { acceptRisk: true });
    } finally {
      await this.release();
    }
  }

  /** For a reader that will not load it. */
  async release(): Promise<void> {
    if (--this.#readers === 0) await rm(this.file, { force: true });
  }
}

/** The sequence's state, for `readers` sequences to load; a failed write leaves no file behind. */
async function snapshot(directory: string, sequence: LlamaContextSequence, readers: number): Promise<Snapshot> {
  const file = join(directory, `${randomUUID()}.bin`);
  try {
    await sequence.saveStateToFile(file);
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return new Snapshot(file, readers);
}

interface Offer {
  /** Tokens the borrower needs evaluated. */
  readonly length: number;
  readonly take: (copy: Snapshot | undefined) => Promise<void>;
}

/** A prompt being evaluated, which requests sharing its start may copy from as soon as enough of it is. */
export class PrefillInFlight {
  readonly #offers = new Set<Offer>();
  readonly #awaited = new AbortController();

  constructor(
    readonly sequence: LlamaContextSequence,
    readonly tokens: readonly Token[],
    private readonly directory: string,
    private readonly onEnd: (prefill: PrefillInFlight) => void,
  ) {}

  /** Fires once another request waits for this prefill, which from then on must not be held back. */
  get awaited(): AbortSignal {
    return this.#awaited.signal;
  }

  wait(length: number, signal: AbortSignal): Promise<Snapshot | undefined> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new ClientAbortedError());
      const onAbort = (): void => {
        this.#offers.delete(offer);
        reject(new ClientAbortedError());
      };
      const offer: Offer = {
        length,
        take: async (copy) => {
          // Its client went away while the copy was being written: nobody will load this share of it.
          if (signal.aborted) return copy?.release();
          signal.removeEventListener('abort', onAbort);
          resolve(copy);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#offers.add(offer);
      this.#awaited.abort();
    });
  }

  /** After each step of the prefill, with the prompt tokens evaluated so far: hands a snapshot to every request whose shared start now is. */
  async stepped(evaluated: number): Promise<void> {
    const ready = [...this.#offers].filter((offer) => offer.length <= evaluated);
    if (ready.length === 0) return;
    for (const offer of ready) this.#offers.delete(offer);
    let copy: Snapshot | undefined;
    try {
      copy = await snapshot(this.directory, this.sequence, ready.length);
    } finally {
      // Without a copy they evaluate their prompts themselves.
      await Promise.all(ready.map((offer) => offer.take(copy)));
    }
  }

  /** Requests still waiting evaluate their prompts themselves. */
  end(): void {
    for (const offer of this.#offers) void offer.take(undefined);
    this.#offers.clear();
    this.onEnd(this);
  }
}

export class PrefixSharing {
  /** In the order they began: a request only waits for one that began before it, so no two wait for each other. */
  readonly #prefills = new Set<PrefillInFlight>();

  /** `directory` holds the state files while they are copied; it is the caller's, and is empty whenever no copy is under way. */
  constructor(readonly directory: string) {}

  /** With a new folder of its own in `parent`, after removing the folders dead processes left there. */
  static async inTempFolder(parent = tmpdir()): Promise<PrefixSharing> {
    await removeLeftovers(parent);
    return new PrefixSharing(await mkdtemp(join(parent, `${FOLDER_PREFIX}${process.pid}-`)));
  }

  /** Copies one sequence's evaluated tokens into others, e.g. a prompt evaluated once for several answers. */
  async copy(from: LlamaContextSequence, to: readonly LlamaContextSequence[]): Promise<void> {
    const copy = await snapshot(this.directory, from, to.length);
    const waiting = [...to];
    try {
      for (let sequence = waiting.shift(); sequence !== undefined; sequence = waiting.shift()) await copy.loadInto(sequence);
    } finally {
      // Those after a load that failed.
      await Promise.all(waiting.map(() => copy.release()));
    }
  }

  /** Announces, before anything is evaluated, a prompt others may copy from; call `end()` on it however it ends. */
  begin(sequence: LlamaContextSequence, tokens: readonly Token[]): PrefillInFlight {
    const prefill = new PrefillInFlight(sequence, tokens, this.directory, (ended) => this.#prefills.delete(ended));
    this.#prefills.add(prefill);
    return prefill;
  }

  /**
   * Loads into the sequence of `own` the longest start of its prompt that an idle sequence holds or
   * an earlier prefill is evaluating, when that is long and beyond the `cached` tokens the sequence
   * already holds; waits for the prefill to get that far. Returns how many leading tokens of the
   * prompt the sequence now holds; whatever it holds past them is the caller's to erase.
   */
  async borrow(own: PrefillInFlight, cached: number, idle: readonly LlamaContextSequence[], signal: AbortSignal): Promise<number> {
    const { sequence: target, tokens: prompt } = own;
    const limit = prompt.length - 1;
    const shared = (tokens: readonly Token[]): number => Math.min(commonPrefixLength(tokens, prompt), limit);
    let best: { length: number; from: LlamaContextSequence | PrefillInFlight } | undefined;
    for (const sequence of idle) {
      const length = shared(sequence.contextTokens);
      if (sequence !== target && length > (best?.length ?? 0)) best = { length, from: sequence };
    }
    for (const prefill of this.#prefills) {
      if (prefill === own) break;
      // A prefill leaves its last prompt token to the first sampling step.
      const length = Math.min(shared(prefill.tokens), prefill.tokens.length - 1);
      if (length > (best?.length ?? 0)) best = { length, from: prefill };
    }
    if (best === undefined || best.length < MIN_SHARED_TOKENS || best.length <= cached) return cached;
    const copy = best.from instanceof PrefillInFlight ? await best.from.wait(best.length, signal) : await snapshot(this.directory, best.from, 1);
    if (copy === undefined) return cached;
    await copy.loadInto(target);
    // The source may have held more than the shared start, or (an idle sequence taken meanwhile) less.
    return shared(target.contextTokens);
  }
}
