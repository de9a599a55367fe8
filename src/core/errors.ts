// The one registry of Studio's errors: each has a code that every wire format maps to its own body.

export const errorCodes = [
  'invalid_request',
  'authentication',
  'permission_denied',
  'not_found',
  'method_not_allowed',
  'model_not_found',
  'payload_too_large',
  'headers_too_large',
  'context_length_exceeded',
  'rate_limited',
  'quota_exceeded',
  'overloaded',
  'model_unavailable',
  'upstream',
  'timeout',
  'client_timeout',
  'internal',
  'preempted',
  'client_aborted',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Codes a wire format renders; a client that aborted gets no answer. */
export type RenderedErrorCode = Exclude<ErrorCode, 'client_aborted'>;

interface StudioErrorOptions {
  readonly cause?: unknown;
  readonly retryAfterSeconds?: number;
}

export abstract class StudioError extends Error {
  abstract readonly code: ErrorCode;
  /** Seconds after which the same request may succeed, sent as `Retry-After`; absent when waiting will not help. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: StudioErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export class InvalidRequestError extends StudioError {
  readonly code = 'invalid_request';
  /** The offending field in the wire's own naming, when one is to blame. */
  readonly param: string | undefined;
  /** The field was absent rather than wrong; some wires give that its own code. */
  readonly missing: boolean;

  constructor(message: string, param?: string, options?: StudioErrorOptions & { readonly missing?: boolean }) {
    super(message, options);
    this.param = param;
    this.missing = options?.missing ?? false;
  }
}

export class AuthenticationError extends StudioError {
  readonly code = 'authentication';
}

export class PermissionDeniedError extends StudioError {
  readonly code = 'permission_denied';
}

export class RouteNotFoundError extends StudioError {
  readonly code = 'not_found';
}

export class MethodNotAllowedError extends StudioError {
  readonly code = 'method_not_allowed';
  constructor(
    readonly method: string,
    readonly allowed: readonly string[],
  ) {
    super(`Request method '${method}' is not supported.`);
  }
}

/** The names a served model answers to, as listed in a `model_not_found` message. */
export interface ServedModelNames {
  readonly id: string;
  readonly aliases?: readonly string[];
}

/** Past this many models the message names the first ones and counts the rest. */
const LISTED_MODELS = 8;

function availableText(available: readonly ServedModelNames[]): string {
  const names = available.slice(0, LISTED_MODELS).map(({ id, aliases = [] }) => (aliases.length > 0 ? `${id} (also ${aliases.join(', ')})` : id));
  const more = available.length > LISTED_MODELS ? ` and ${available.length - LISTED_MODELS} more` : '';
  return available.length === 0 ? ' No models are served.' : ` Available models: ${names.join(', ')}${more}.`;
}

export class ModelNotFoundError extends StudioError {
  readonly code = 'model_not_found';
  /** `available`: what is served instead, so the answer says which names work. */
  constructor(
    readonly model: string,
    available?: readonly ServedModelNames[],
  ) {
    super(`The model \`${model}\` does not exist or you do not have access to it.${available === undefined ? '' : availableText(available)}`);
  }
}

export class PayloadTooLargeError extends StudioError {
  readonly code = 'payload_too_large';
  constructor(readonly limitBytes: number) {
    super(`Request body is larger than the limit of ${limitBytes} bytes.`);
  }
}

/** An uploaded file past its own limit, which is far above a request body's. */
export class FileTooLargeError extends StudioError {
  readonly code = 'payload_too_large';
  constructor(readonly limitBytes: number) {
    super(`The file is larger than the limit of ${limitBytes} bytes.`);
  }
}

export class HeadersTooLargeError extends StudioError {
  readonly code = 'headers_too_large';
  constructor(limitBytes: number) {
    super(`Request headers are larger than the limit of ${limitBytes} bytes.`);
  }
}

export class ContextLengthExceededError extends StudioError {
  readonly code = 'context_length_exceeded';
  constructor(
    readonly promptTokens: number,
    /** The longest prompt the model takes: below its context, so at least one token can be generated. */
    readonly maxInputTokens: number,
    /** The prompt was refused before all of it was counted: `promptTokens` is a lower bound. */
    readonly atLeast = false,
  ) {
    super(`Range of input length should be [1, ${maxInputTokens}], got ${atLeast ? 'at least ' : ''}${promptTokens} tokens.`);
  }
}

/** What ran out: the model's wait queue, or a key's own rpm, tpm or concurrency limit. */
export type RateLimitScope = 'queue' | 'key';

export class RateLimitedError extends StudioError {
  readonly code = 'rate_limited';
  constructor(
    message: string,
    retryAfterSeconds: number | undefined,
    readonly scope: RateLimitScope = 'queue',
  ) {
    super(message, { retryAfterSeconds });
  }
}

/** A key's budget for its period is spent: waiting a little never helps, so there is no Retry-After. */
export class QuotaExceededError extends StudioError {
  readonly code = 'quota_exceeded';
}

export class OverloadedError extends StudioError {
  readonly code = 'overloaded';
  /** Capacity comes back soon (a request ends, another instance takes over): a second by default. */
  constructor(message: string, options?: StudioErrorOptions) {
    super(message, { retryAfterSeconds: 1, ...options });
  }
}

/** A model that cannot serve now: still downloading or loading, or too big for the memory it may use. */
export class ModelUnavailableError extends StudioError {
  readonly code = 'model_unavailable';
  constructor(
    message: string,
    /** Set when waiting helps (the model is on its way); absent when it never will. */
    retryAfterSeconds?: number,
    options?: Omit<StudioErrorOptions, 'retryAfterSeconds'>,
  ) {
    super(message, { ...options, retryAfterSeconds });
  }
}

export class UpstreamError extends StudioError {
  readonly code = 'upstream';
}

export class TimeoutError extends StudioError {
  readonly code = 'timeout';
}

/** The client was too slow to send its request: its headers, or its body. */
export class ClientTimeoutError extends StudioError {
  readonly code = 'client_timeout';
}

export class InternalError extends StudioError {
  readonly code = 'internal';
  constructor(options?: StudioErrorOptions) {
    super('An internal error has occurred, please try again later.', options);
  }
}

/**
 * A batch-priority generation stopped to give its capacity to a live request: nothing is wrong with
 * it, and the same work may be run again later (the Batch API runner retries the line).
 */
export class PreemptedError extends StudioError {
  readonly code = 'preempted';
  constructor(message = 'The request was stopped to make room for live traffic; retry it later.', retryAfterSeconds = 1) {
    super(message, { retryAfterSeconds });
  }
}

export class ClientAbortedError extends StudioError {
  readonly code = 'client_aborted';
  constructor() {
    super('The client closed the request.');
  }
}

export type RenderableError = StudioError & { readonly code: RenderedErrorCode };

/** False only for a client that went away: there is nobody left to answer. */
export function isRenderable(error: StudioError): error is RenderableError {
  return error.code !== 'client_aborted';
}

/** Anything that is not a StudioError becomes an InternalError that keeps the original as its cause. */
export function toStudioError(error: unknown): StudioError {
  return error instanceof StudioError ? error : new InternalError({ cause: error });
}
