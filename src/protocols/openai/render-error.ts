// Renders Studio errors as the OpenAI-compatible error body `{error:{message,type,param,code}}`.
import { InvalidRequestError, type RenderableError, type RenderedErrorCode } from '../../core/errors.js';

interface OpenAIErrorMapping {
  readonly status: number;
  readonly code: string;
  readonly type: string;
  /** Model Studio's own wording where clients or docs quote it. */
  readonly message?: string;
}

export const openaiErrorTable = {
  invalid_request: { status: 400, code: 'invalid_parameter_error', type: 'invalid_request_error' },
  authentication: { status: 401, code: 'invalid_api_key', type: 'invalid_request_error', message: 'Incorrect API key provided. ' },
  permission_denied: { status: 403, code: 'access_denied', type: 'invalid_request_error' },
  not_found: { status: 404, code: 'not_found', type: 'invalid_request_error' },
  method_not_allowed: { status: 405, code: 'method_not_allowed', type: 'invalid_request_error' },
  model_not_found: { status: 404, code: 'model_not_found', type: 'invalid_request_error' },
  payload_too_large: { status: 413, code: 'request_too_large', type: 'invalid_request_error' },
  headers_too_large: { status: 431, code: 'request_headers_too_large', type: 'invalid_request_error' },
  context_length_exceeded: { status: 400, code: 'invalid_parameter_error', type: 'invalid_request_error' },
  rate_limited: { status: 429, code: 'limit_requests', type: 'limit_requests' },
  quota_exceeded: { status: 429, code: 'insufficient_quota', type: 'insufficient_quota' },
  overloaded: { status: 503, code: 'model_unavailable', type: 'service_unavailable_error' },
  model_unavailable: { status: 503, code: 'model_unavailable', type: 'service_unavailable_error' },
  upstream: { status: 502, code: 'model_service_failed', type: 'internal_error' },
  timeout: { status: 504, code: 'request_timeout', type: 'internal_error' },
  client_timeout: { status: 408, code: 'request_timeout', type: 'invalid_request_error' },
  internal: { status: 500, code: 'internal_error', type: 'internal_error' },
  preempted: { status: 503, code: 'model_unavailable', type: 'service_unavailable_error' },
} as const satisfies Record<RenderedErrorCode, OpenAIErrorMapping>;

export interface OpenAIErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string };
  readonly request_id: string;
}

export function renderOpenAIError(error: RenderableError, requestId: string): { status: number; body: OpenAIErrorBody } {
  const mapping: OpenAIErrorMapping = openaiErrorTable[error.code];
  const param = error instanceof InvalidRequestError ? (error.param ?? null) : null;
  return {
    status: mapping.status,
    body: { error: { message: mapping.message ?? error.message, type: mapping.type, param, code: mapping.code }, request_id: requestId },
  };
}
