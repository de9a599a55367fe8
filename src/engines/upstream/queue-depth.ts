// An upstream's queue depth from its Prometheus metrics text: the requests it holds waiting, not running.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/**
 * The waiting-request gauges of the engines Studio fronts: vLLM (and Studio itself, which exports
 * vLLM's names), SGLang, and llama.cpp's llama-server.
 */
export const QUEUE_DEPTH_METRICS: readonly string[] = ['vllm:num_requests_waiting', 'sglang:num_queue_reqs', 'llamacpp:requests_deferred'];

/** The sum of every queue-depth sample in `text`, over all label sets (one per model served) and all known names. */
export function queueDepth(text: string): number {
  let depth = 0;
  // The parser drops a last line that lacks its line feed, which the format requires but not every exporter sends.
  for (const family of parsePrometheusTextFormat(text.endsWith('\n') ? text : `${text}\n`)) {
    if (!QUEUE_DEPTH_METRICS.includes(family.name)) continue;
    for (const sample of family.metrics) {
      const value = Number(sample.value);
      if (Number.isFinite(value) && value > 0) depth += value;
    }
  }
  return depth;
}
