// Renders Studio errors as the native DashScope error body `{request_id, code, message}`.
import { InvalidRequestError, RateLimitedError, type RenderableError, type RenderedErrorCode } from '../../core/errors.js';

interface DashScopeErrorMapping {
  readonly status: number;
  readonly code: string;
  /** Model Studio's own wording where clients or docs quote it. */
  readonly message?: string;
}

export const dashscopeErrorTable = {
  invalid_request: { status: 400, code: 'InvalidParameter' },
  authentication: { status: 401, code: 'InvalidApiKey', message: 'Invalid API-key provided.' },
  permission_denied: { status: 403, code: 'AccessDenied' },
  not_found: { status: 404, code: 'NotFound' },
  method_not_allowed: { status: 405, code: 'MethodNotAllowed' },
  model_not_found: { status: 404, code: 'ModelNotFound' },
  payload_too_large: { status: 413, code: 'RequestTooLarge' },
  headers_too_large: { status: 431, code: 'RequestHeadersTooLarge' },
  context_length_exceeded: { status: 400, code: 'InvalidParameter' },
  rate_limited: { status: 429, code: 'Throttling' },
  quota_exceeded: { status: 429, code: 'Throttling.AllocationQuota' },
  overloaded: { status: 503, code: 'ModelUnavailable' },
  model_unavailable: { status: 503, code: 'ModelUnavailable' },
  upstream: { status: 502, code: 'ModelServiceFailed' },
  timeout: { status: 504, code: 'RequestTimeOut' },
  client_timeout: { status: 408, code: 'RequestTimeOut' },
  internal: { status: 500, code: 'InternalError' },
  preempted: { status: 503, code: 'ModelUnavailable' },
} as const satisfies Record<RenderedErrorCode, DashScopeErrorMapping>;

/** Model Studio gives an absent model or input codes of their own. */
const missingFieldCodes: Readonly<Record<string, string>> = {
  model: 'BadRequest.EmptyModel',
  input: 'BadRequest.EmptyInput',
};

export interface DashScopeErrorBody {
  readonly request_id: string;
  readonly code: string;
  readonly message: string;
}

export function renderDashScopeError(error: RenderableError, requestId: string): { status: number; body: DashScopeErrorBody } {
  const mapping: DashScopeErrorMapping = dashscopeErrorTable[error.code];
  const missingCode = error instanceof InvalidRequestError && error.missing ? missingFieldCodes[error.param ?? ''] : undefined;
  // A key's own rpm, tpm or concurrency limit has Model Studio's code; a full queue stays plain `Throttling`.
  const keyLimitCode = error instanceof RateLimitedError && error.scope === 'key' ? 'Throttling.RateQuota' : undefined;
  return {
    status: mapping.status,
    body: { request_id: requestId, code: missingCode ?? keyLimitCode ?? mapping.code, message: mapping.message ?? error.message },
  };
}
