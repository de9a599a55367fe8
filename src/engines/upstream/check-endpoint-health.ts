// The active health check of one upstream endpoint: its model list, asked with its own key.
import { getText } from './get-text.js';
import type { UpstreamEndpointOptions } from './upstream-options.js';

export type HealthResult = { readonly healthy: true } | { readonly healthy: false; readonly reason: string };

/** A model list is small; a body larger than this is not one. */
const MAX_BODY_BYTES = 1 << 20;

/** `GET ${url}/models` with the endpoint's key: any 2xx is healthy; 401/403 means the key was refused. */
export async function checkEndpointHealth(endpoint: UpstreamEndpointOptions, timeoutMs: number, signal: AbortSignal): Promise<HealthResult> {
  const headers: Record<string, string> = endpoint.apiKey === undefined ? {} : { authorization: `Bearer ${endpoint.apiKey}` };
  try {
    const { status } = await getText(`${endpoint.url.replace(/\/+$/, '')}/models`, { headers, timeoutMs, signal, maxBytes: MAX_BODY_BYTES });
    if (status >= 200 && status < 300) return { healthy: true };
    if (status === 401 || status === 403) return { healthy: false, reason: 'the upstream refused the key' };
    return { healthy: false, reason: `health check answered ${status}` };
  } catch (error) {
    return { healthy: false, reason: `health check failed: ${describeFailure(error, timeoutMs)}` };
  }
}

/** A connection error's code or message; undici's never carry request headers, so never the key. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : error.message;
}
