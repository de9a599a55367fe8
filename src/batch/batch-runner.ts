// Runs the batches in the store in the background: their pending lines a few at a time, then their files, resuming after a restart.
import type { Logger } from 'pino';
import type { BatchEnd, BatchLine, BatchRecord, BatchStore, FileStore } from '../core/store.js';
import { runBatchLine, type LineContext } from './run-batch-line.js';
import { writeBatchFiles } from './write-batch-files.js';

export interface BatchRunnerOptions extends LineContext {
  readonly files: FileStore;
  readonly logger: Logger;
  /** Lines of a batch on `model` run at once: enough to fill the model's sequences. */
  readonly parallel: (model: string) => number;
  /** How often the store is read for batches created, cancelled or left by another process. */
  readonly pollMs?: number;
  readonly now?: () => Date;
}

const DEFAULT_POLL_MS = 2000;

interface Run {
  readonly done: Promise<void>;
  /** Ends the lines running now without storing them: a cancel, an expiry or a stop. */
  readonly abort: AbortController;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Pending lines handed out one at a time to the workers of a run, read from the store a page at a time. */
class LineCursor {
  #page: BatchLine[] = [];
  #afterIndex: number | undefined;
  #reading: Promise<void> | undefined;
  #over = false;

  constructor(
    private readonly batches: BatchStore,
    private readonly batchId: string,
    private readonly pageSize: number,
  ) {}

  async next(): Promise<BatchLine | undefined> {
    while (this.#page.length === 0 && !this.#over) {
      this.#reading ??= this.#read().finally(() => (this.#reading = undefined));
      await this.#reading;
    }
    return this.#page.shift();
  }

  async #read(): Promise<void> {
    const page = await this.batches.pendingLines(this.batchId, { limit: this.pageSize, afterIndex: this.#afterIndex });
    if (page.length < this.pageSize) this.#over = true;
    if (page.length > 0) this.#afterIndex = page[page.length - 1]!.index;
    this.#page.push(...page);
  }
}

export class BatchRunner {
  readonly #runs = new Map<string, Run>();
  readonly #options: BatchRunnerOptions;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<void> | undefined;
  #stopped = false;

  constructor(options: BatchRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Resumes what the store holds unfinished, and looks again every poll. */
  start(): void {
    this.nudge();
    this.#timer = setInterval(() => this.nudge(), this.#options.pollMs ?? DEFAULT_POLL_MS);
    this.#timer.unref();
  }

  /** Looks at the store now: a batch was created or cancelled. */
  nudge(): void {
    if (this.#stopped || this.#scanning !== undefined) return;
    this.#scanning = this.#scan()
      .catch((error: unknown) => this.#options.logger.error({ err: error }, 'reading the batches to run failed'))
      .finally(() => (this.#scanning = undefined));
  }

  /** Ends the lines running now, storing nothing of them: the next start runs them again. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#scanning;
    for (const run of this.#runs.values()) run.abort.abort();
    await Promise.all([...this.#runs.values()].map((run) => run.done));
  }

  async #scan(): Promise<void> {
    for (const batch of await this.#options.batches.unfinished()) {
      const run = this.#runs.get(batch.id);
      if (run !== undefined) {
        if (batch.status === 'cancelling' || this.#expired(batch)) run.abort.abort();
        continue;
      }
      if (this.#stopped) return;
      const abort = new AbortController();
      const done = this.#run(batch, abort.signal)
        .catch((error: unknown) => this.#options.logger.error({ err: error, batch: batch.id }, 'running a batch failed; it is tried again'))
        .finally(() => this.#runs.delete(batch.id));
      this.#runs.set(batch.id, { done, abort });
    }
  }

  #expired(batch: BatchRecord): boolean {
    return this.#now().getTime() >= batch.expiresAt.getTime();
  }

  async #run(batch: BatchRecord, signal: AbortSignal): Promise<void> {
    if (batch.status === 'in_progress' && !this.#expired(batch)) {
      const workers = Math.max(1, this.#options.parallel(batch.model));
      const cursor = new LineCursor(this.#options.batches, batch.id, workers * 4);
      await Promise.all(Array.from({ length: workers }, () => this.#work(batch, cursor, signal)));
      if (this.#stopped) return;
    }
    const now = await this.#options.batches.get(batch.owner, batch.id);
    if (now === undefined) return;
    const finished = now.counts.completed + now.counts.failed === now.counts.total;
    if (now.status === 'finalizing' || now.status === 'cancelling' || finished || this.#expired(now)) await this.#finalize(now);
  }

  /** One worker: a line at a time until none is left; a line refused for now waits and runs again. */
  async #work(batch: BatchRecord, cursor: LineCursor, signal: AbortSignal): Promise<void> {
    for (let line = await cursor.next(); line !== undefined && !signal.aborted; line = await cursor.next()) {
      for (;;) {
        const outcome = await runBatchLine(this.#options, batch, line, signal);
        if (outcome.kind !== 'retry') break;
        await sleep(outcome.afterMs, signal);
        if (signal.aborted) return;
      }
    }
  }

  /** Files from the stored results, then the batch's end: cancelled if asked, expired if lines were left, else completed. */
  async #finalize(batch: BatchRecord): Promise<void> {
    const { batches, files } = this.#options;
    if (batch.status !== 'finalizing' && !(await batches.startFinalizing(batch.id, this.#now()))) return;
    const fresh = (await batches.get(batch.owner, batch.id)) ?? batch;
    const written = await writeBatchFiles(batches, files, fresh);
    const left = fresh.counts.total - fresh.counts.completed - fresh.counts.failed;
    const end: BatchEnd = fresh.cancellingAt !== undefined ? 'cancelled' : left > 0 ? 'expired' : 'completed';
    await batches.end(batch.id, end, this.#now(), written);
    this.#options.logger.info({ batch: batch.id, status: end, ...fresh.counts }, 'batch ended');
  }
}
