// Reads one endpoint's queue depth from its Prometheus metrics URL, telling an endpoint without metrics from one slow to answer.
import { BodyTooLargeError, getText } from './get-text.js';
import { queueDepth } from './queue-depth.js';
import type { UpstreamEndpointOptions } from './upstream-options.js';

/** vLLM's metrics with every histogram run to a few hundred KiB; this leaves room and still bounds memory. */
const MAX_BODY_BYTES = 8 << 20;

/** Statuses of a server (or a gateway before it) that is overloaded or restarting: its metrics may answer next time. */
const TRANSIENT_STATUSES = new Set([502, 503, 504]);

/**
 * One read: the depth, or why there is none. `absent`: the endpoint serves no metrics Studio can read
 * (404, 401, llama-server's 501 without `--metrics`, text that does not parse, a body over the cap);
 * `transient`: it did not answer in time, could not be reached, or a gateway said it is busy.
 */
export type QueueDepthRead = { readonly depth: number } | { readonly failure: 'absent' | 'transient'; readonly reason: string };

/**
 * The endpoint's queue depth, never throwing. The key goes along only when the metrics URL has the
 * endpoint's own origin, so it never leaves for another host.
 */
export async function readQueueDepth(endpoint: UpstreamEndpointOptions & { readonly metricsUrl: string }, timeoutMs: number, signal: AbortSignal): Promise<QueueDepthRead> {
  const sameOrigin = new URL(endpoint.metricsUrl).origin === new URL(endpoint.url).origin;
  const headers: Record<string, string> = sameOrigin && endpoint.apiKey !== undefined ? { authorization: `Bearer ${endpoint.apiKey}` } : {};
  let status: number;
  let text: string;
  try {
    ({ status, text } = await getText(endpoint.metricsUrl, { headers, timeoutMs, signal, maxBytes: MAX_BODY_BYTES }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { failure: error instanceof BodyTooLargeError ? 'absent' : 'transient', reason };
  }
  if (status < 200 || status >= 300) return { failure: TRANSIENT_STATUSES.has(status) ? 'transient' : 'absent', reason: `metrics answered ${status}` };
  try {
    return { depth: queueDepth(text) };
  } catch (error) {
    return { failure: 'absent', reason: `metrics do not parse: ${error instanceof Error ? error.message : String(error)}` };
  }
}
