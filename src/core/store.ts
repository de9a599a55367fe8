// The store's contract: API keys with their limits, the per-request ledger, the usage read from it and saved prompt templates.
import type { RateLimits } from './rate-limiter.js';

export type BudgetPeriod = 'day' | 'week' | 'month'; // UTC; week starts Monday

export interface KeyLimits extends RateLimits {
  /** In the catalog's currency. */
  readonly budget?: { readonly amount: number; readonly period: BudgetPeriod };
  /** Names as the catalog knows them (aliases resolve). */
  readonly models?: readonly string[];
}

export interface ApiKeyRecord {
  /** 'key_' + random base62; never the secret. */
  readonly id: string;
  /** Unique among keys not revoked. */
  readonly name: string;
  /** The first 8 characters of the secret after 'sk-', shown in lists. */
  readonly prefix: string;
  readonly limits: KeyLimits;
  readonly expiresAt?: Date;
  readonly revokedAt?: Date;
  readonly createdAt: Date;
  readonly lastUsedAt?: Date;
}

export interface KeyStore {
  create(input: { name: string; limits: KeyLimits; expiresAt?: Date }): Promise<{ record: ApiKeyRecord; secret: string }>;
  list(): Promise<ApiKeyRecord[]>;
  get(idOrName: string): Promise<ApiKeyRecord | undefined>;
  update(idOrName: string, change: { name?: string; limits?: KeyLimits; expiresAt?: Date | null }): Promise<ApiKeyRecord>;
  revoke(idOrName: string): Promise<ApiKeyRecord>;
  /** By the SHA-256 hex digest of the presented secret; revoked and expired keys are returned too (caller decides). */
  findByDigest(digest: string): Promise<ApiKeyRecord | undefined>;
  /** Last used; batched, cheap. */
  touch(id: string, at: Date): Promise<void>;
}

export type LedgerStatus = 'open' | 'completed' | 'client_aborted' | 'error' | 'interrupted';

export interface LedgerOpen {
  readonly requestId: string;
  readonly startedAt: Date;
  readonly keyId?: string;
  readonly modelRequested: string;
  /** 'batch' for a line of the Batch API, run at the batch price. */
  readonly wire: 'openai' | 'dashscope' | 'batch';
  readonly stream: boolean;
  readonly n: number;
}

export interface LedgerClose {
  readonly requestId: string;
  readonly modelServed?: string;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  /** False when the engine did not report the token counts: the counts above are then 0 where unknown, not counted. */
  readonly usageReported: boolean;
  readonly cost?: number;
  readonly currency?: string;
  readonly ttftMs?: number;
  readonly durationMs: number;
  readonly finishReason?: string;
  readonly status: Exclude<LedgerStatus, 'open' | 'interrupted'>;
  readonly errorCode?: string;
}

export interface Ledger {
  /** Fire and forget: queued for the next group commit. */
  open(row: LedgerOpen): void;
  /** Resolves once the row (and its daily totals) is committed; many closes share one transaction. */
  close(row: LedgerClose): Promise<void>;
  /** Rows still open from an earlier run become 'interrupted'; returns how many. */
  closeInterrupted(): Promise<number>;
}

export type UsageGroup = 'day' | 'model' | 'key';

export interface UsageRow {
  /** 'YYYY-MM-DD', the model name, or the key's name (its id when deleted). */
  readonly group: string;
  readonly requests: number;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  /** Requests among `requests` whose token counts are unknown (the engine reported none, or the request was interrupted). */
  readonly unreportedRequests: number;
  readonly cost: number;
  readonly currency?: string;
}

export interface UsageReader {
  /** From the daily totals only (never the raw rows); `from`/`to` are UTC days, inclusive. */
  usage(query: { from: string; to: string; groupBy: UsageGroup; keyId?: string }): Promise<UsageRow[]>;
  /** What a key spent since `since` (cost summed from daily totals). */
  spend(keyId: string, since: Date): Promise<number>;
}

export interface PromptTemplateRecord {
  readonly id: string;
  /** Unique per owner. */
  readonly name: string;
  readonly system?: string;
  readonly user: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Prompt templates saved from the Playground, each owned by a stored key's id, or '' (static keys, no auth). */
export interface TemplateStore {
  /** By name. */
  list(owner: string): Promise<PromptTemplateRecord[]>;
  /** Replaces the owner's template of the same name, keeping its id and creation time. */
  save(owner: string, template: { name: string; system?: string; user: string }): Promise<PromptTemplateRecord>;
  /** False when the owner has no template of that id. */
  delete(owner: string, id: string): Promise<boolean>;
}

export type FilePurpose = 'batch' | 'batch_output';

export interface FileRecord {
  /** 'file-' + random base62. */
  readonly id: string;
  /** A stored key's id, or '' (static keys, no auth), as for templates. */
  readonly owner: string;
  readonly filename: string;
  readonly purpose: FilePurpose;
  readonly bytes: number;
  readonly createdAt: Date;
}

/** Uploaded batch input and the batches' output and error files: metadata in the database, bytes on disk. */
export interface FileStore {
  /**
   * Streams `content` to disk and records it once every byte is written; rejects, keeping nothing, when
   * the content fails or runs past `maxBytes` (a FileTooLargeError).
   */
  create(input: { owner: string; filename: string; purpose: FilePurpose; content: AsyncIterable<Uint8Array>; maxBytes?: number }): Promise<FileRecord>;
  get(owner: string, id: string): Promise<FileRecord | undefined>;
  /** Newest first; `after` is a file id from the previous page. */
  list(owner: string, query: { purpose?: FilePurpose; limit: number; after?: string }): Promise<FileRecord[]>;
  /** The bytes, streamed from disk; undefined when the owner has no file of that id. */
  read(owner: string, id: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** False when the owner has no file of that id. */
  delete(owner: string, id: string): Promise<boolean>;
}

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

/** What made a batch's input unusable, by line (1-based) where one is to blame. */
export interface BatchInputError {
  readonly code: string;
  readonly message: string;
  readonly param?: string;
  readonly line?: number;
}

export interface BatchRecord {
  /** 'batch_' + random hex. */
  readonly id: string;
  /** A stored key's id, or '' (static keys, no auth), as for files. */
  readonly owner: string;
  readonly endpoint: string;
  readonly inputFileId: string;
  readonly completionWindow: string;
  /** The one model every line names ('' when the input was refused before one was known). */
  readonly model: string;
  readonly status: BatchStatus;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly errors: readonly BatchInputError[];
  readonly outputFileId?: string;
  readonly errorFileId?: string;
  readonly counts: { readonly total: number; readonly completed: number; readonly failed: number };
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly inProgressAt?: Date;
  readonly finalizingAt?: Date;
  readonly completedAt?: Date;
  readonly failedAt?: Date;
  readonly expiredAt?: Date;
  readonly cancellingAt?: Date;
  readonly cancelledAt?: Date;
}

export interface NewBatch {
  readonly owner: string;
  readonly endpoint: string;
  readonly inputFileId: string;
  readonly completionWindow: string;
  readonly model: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

/** One input line as stored: its request body kept as the JSON text it came in. */
export interface BatchLine {
  /** 0-based position in the input file. */
  readonly index: number;
  readonly customId: string;
  readonly body: string;
}

/** A line's stored outcome: the output or error file line it becomes, as JSON text. */
export interface BatchLineResult {
  readonly index: number;
  readonly succeeded: boolean;
  readonly line: string;
}

/** The statuses a batch ends in, with the time each is reached. */
export type BatchEnd = 'failed' | 'completed' | 'expired' | 'cancelled';

/**
 * Batches and the state of each line. A line is pending until its result is stored, in the same
 * transaction that counts it: a line that was running when the process died is pending again.
 */
export interface BatchStore {
  /** In progress, with every line pending. */
  create(batch: NewBatch, lines: readonly Omit<BatchLine, 'index'>[]): Promise<BatchRecord>;
  /** Failed at once: its input was refused for `errors`. */
  createFailed(batch: NewBatch, errors: readonly BatchInputError[]): Promise<BatchRecord>;
  get(owner: string, id: string): Promise<BatchRecord | undefined>;
  /** Newest first; `after` is a batch id from the previous page. */
  list(owner: string, query: { limit: number; after?: string }): Promise<BatchRecord[]>;
  /** Every owner's batches still to be run or finalized (in progress, cancelling, finalizing), oldest first. */
  unfinished(): Promise<BatchRecord[]>;
  /** Up to `limit` pending lines in input order, after `afterIndex` when given. */
  pendingLines(batchId: string, query: { limit: number; afterIndex?: number }): Promise<BatchLine[]>;
  /** Stores a pending line's result and counts it; false (nothing stored) when the line was not pending. */
  finishLine(batchId: string, result: BatchLineResult): Promise<boolean>;
  /** Stored results in input order, a page at a time. */
  results(batchId: string, query: { limit: number; afterIndex?: number }): Promise<BatchLineResult[]>;
  /** In progress to cancelling; the batch as it is now, undefined when the owner has none of that id. */
  requestCancel(owner: string, id: string, at: Date): Promise<BatchRecord | undefined>;
  /** In progress or cancelling to finalizing; false when it was neither. */
  startFinalizing(id: string, at: Date): Promise<boolean>;
  /** Finalizing to `status`, with its files. */
  end(id: string, status: BatchEnd, at: Date, files: { outputFileId?: string; errorFileId?: string }): Promise<void>;
}

export interface Store {
  readonly keys: KeyStore;
  readonly templates: TemplateStore;
  readonly ledger: Ledger;
  readonly usage: UsageReader;
  readonly files: FileStore;
  readonly batches: BatchStore;
  close(): Promise<void>;
}
