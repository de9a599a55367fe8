// An upstream's queue depth from its Prometheus metrics text: the requests it holds waiting, not running.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/**
 * The waiting-request gauges of the engines Studio fronts: vLLM (and Studio itself, which exports
 * vLLM's names), SGLang, and llama.cpp's llama-server.
 */
export const QUEUE_DEPTH_METRICS: readonly string[] = ['vllm:num_requests_waiting', 'sglang:num_queue_reqs', 'llamacpp:requests_deferred'];

/** Sample lines of those gauges (the names hold no regex metacharacters). */
const QUEUE_DEPTH_LINES = new RegExp(`^(?:${QUEUE_DEPTH_METRICS.join('|')})[{ \\t].*$`, 'gm');

/** The sum of every queue-depth sample in `text`, over all label sets (one per model served) and all known names. */
export function queueDepth(text: string): number {
  // A vLLM page runs to hundreds of KiB of histograms, which take the parser tens of milliseconds
  // on the event loop every second; it is given only the few lines that matter. Each keeps its line
  // feed, since the parser drops a last line without one.
  const lines = text.match(QUEUE_DEPTH_LINES) ?? [];
  let depth = 0;
  for (const family of parsePrometheusTextFormat(lines.map((line) => `${line}\n`).join(''))) {
    if (!QUEUE_DEPTH_METRICS.includes(family.name)) continue;
    for (const sample of family.metrics) {
      const value = Number(sample.value);
      if (Number.isFinite(value) && value > 0) depth += value;
    }
  }
  return depth;
}
