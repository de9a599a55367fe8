// The HTTP answer to an error before any response byte: the wire's body, its status and the headers it calls for.
import { MethodNotAllowedError, type RenderableError } from '../core/errors.js';
import type { Wire } from './wire.js';

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: object;
}

export function errorAnswer(error: RenderableError, wire: Wire, requestId: string): ErrorAnswer {
  const { status, body } = wire.renderError(error, requestId);
  const headers: Record<string, string> = { 'X-Request-Id': requestId };
  if (error instanceof MethodNotAllowedError) headers['Allow'] = error.allowed.join(', ');
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  // A spent budget comes back only with the next period; the openai SDKs retry every other 429.
  if (error.code === 'quota_exceeded') headers['x-should-retry'] = 'false';
  return { status, headers, body };
}
