// Reads one endpoint's queue depth from its Prometheus metrics URL.
import { getText } from './get-text.js';
import { queueDepth } from './queue-depth.js';
import type { UpstreamEndpointOptions } from './upstream-options.js';

/** vLLM's metrics with every histogram run to a few hundred KiB; this leaves room and still bounds memory. */
const MAX_BODY_BYTES = 8 << 20;

/**
 * The endpoint's queue depth; throws when the metrics cannot be read (non-2xx, timeout, bad text).
 * The key goes along only when the metrics URL has the endpoint's own origin, so it never leaves for another host.
 */
export async function readQueueDepth(endpoint: UpstreamEndpointOptions & { readonly metricsUrl: string }, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const sameOrigin = new URL(endpoint.metricsUrl).origin === new URL(endpoint.url).origin;
  const headers: Record<string, string> = sameOrigin && endpoint.apiKey !== undefined ? { authorization: `Bearer ${endpoint.apiKey}` } : {};
  const { status, text } = await getText(endpoint.metricsUrl, { headers, timeoutMs, signal, maxBytes: MAX_BODY_BYTES });
  if (status < 200 || status >= 300) throw new Error(`metrics answered ${status}`);
  return queueDepth(text);
}
