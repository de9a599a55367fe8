// The tables as Kysely sees them; times are ISO strings going in and a Date or string coming out, by dialect.
import type { ColumnType } from 'kysely';

/** PostgreSQL gives timestamptz back as a Date, SQLite its ISO text. */
type Timestamp = ColumnType<Date | string, string, string>;
type NullableTimestamp = ColumnType<Date | string | null, string | null | undefined, string | null>;
/** int8 and sums come back as strings from pg, bigints or numbers elsewhere. */
type Count = ColumnType<number | string | bigint, number, number>;
type NullableCount = ColumnType<number | string | bigint | null, number | null | undefined, number | null>;

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  digest: string;
  /** KeyLimits as JSON. */
  limits: string;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

export interface RequestsTable {
  request_id: string;
  instance: string;
  started_at: Timestamp;
  key_id: string | null;
  model_requested: string;
  model_served: string | null;
  wire: string;
  /** 0 or 1 on every dialect. */
  stream: number;
  n: number;
  status: string;
  prompt_tokens: Count;
  cached_tokens: Count;
  completion_tokens: Count;
  reasoning_tokens: Count;
  /** 1, or 0 when the engine did not report the token counts (they are 0 then, not counted); 0 or 1 on every dialect. */
  usage_reported: ColumnType<number, number | undefined, number>;
  /** Millionths of the currency, exact. */
  cost_micros: NullableCount;
  currency: string | null;
  ttft_ms: number | null;
  duration_ms: number | null;
  finish_reason: string | null;
  error_code: string | null;
  closed_at: NullableTimestamp;
}

export interface DailyUsageTable {
  /** UTC day the request started, YYYY-MM-DD. */
  day: string;
  /** '' for requests made without a stored key. */
  key_id: string;
  /** As served, else as requested. */
  model: string;
  /** '' when the model has no price. */
  currency: string;
  requests: Count;
  prompt_tokens: Count;
  cached_tokens: Count;
  completion_tokens: Count;
  reasoning_tokens: Count;
  cost_micros: Count;
  /** Requests whose token counts are unknown (see RequestsTable.usage_reported), counted in `requests` too. */
  unreported_requests: Count;
}

export interface PromptTemplatesTable {
  id: string;
  /** The owning key's id; '' for static keys and no auth. */
  owner: string;
  name: string;
  system: string | null;
  user_text: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FilesTable {
  /** Also the name of its bytes' file in the files folder. */
  id: string;
  /** The owning key's id; '' for static keys and no auth. */
  owner: string;
  filename: string;
  /** A FilePurpose. */
  purpose: string;
  bytes: Count;
  created_at: Timestamp;
}

export interface BatchesTable {
  id: string;
  owner: string;
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  model: string;
  status: string;
  /** Record<string, string> as JSON. */
  metadata: string | null;
  /** BatchInputError[] as JSON, for a batch whose input was refused. */
  errors: string | null;
  output_file_id: string | null;
  error_file_id: string | null;
  total: number;
  completed: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  in_progress_at: NullableTimestamp;
  finalizing_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  expired_at: NullableTimestamp;
  cancelling_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
}

export interface BatchLinesTable {
  batch_id: string;
  line_index: number;
  custom_id: string;
  /** The request body as the input file gave it. */
  body: string;
  /** 'pending', 'succeeded' or 'failed'. */
  status: string;
  /** The output or error file line, as JSON text, once done. */
  result: string | null;
}

export interface Database {
  api_keys: ApiKeysTable;
  batches: BatchesTable;
  batch_lines: BatchLinesTable;
  files: FilesTable;
  prompt_templates: PromptTemplatesTable;
  requests: RequestsTable;
  daily_usage: DailyUsageTable;
}

export type Flavour = 'sqlite' | 'postgres';
