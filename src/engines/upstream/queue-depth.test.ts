// Queue depth from Prometheus text: the three engines' waiting gauges, summed over label sets.
import { describe, expect, it } from 'vitest';
import { queueDepth } from './queue-depth.js';

describe('queueDepth', () => {
  it('sums every label set of every known gauge and ignores the rest', () => {
    const text = [
      '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
      '# TYPE vllm:num_requests_waiting gauge',
      'vllm:num_requests_waiting{model_name="qwen"} 2.0',
      'vllm:num_requests_waiting{model_name="llama"} 1.0',
      'vllm:num_requests_running{model_name="qwen"} 30.0',
      '# TYPE vllm:e2e_request_latency_seconds histogram',
      'vllm:e2e_request_latency_seconds_bucket{le="1.0"} 4',
      'vllm:e2e_request_latency_seconds_count 4',
      'vllm:e2e_request_latency_seconds_sum 2.5',
      'sglang:num_queue_reqs{model_name="qwen"} 4',
      'llamacpp:requests_deferred 0.5',
      'llamacpp:requests_processing 8',
    ].join('\n');
    expect(queueDepth(text)).toBe(7.5);
  });

  it('reads a last line that has no line feed', () => {
    expect(queueDepth('vllm:num_requests_waiting 3')).toBe(3);
  });

  it('reads CRLF line ends and tells a gauge from a longer name that starts with it', () => {
    expect(queueDepth('vllm:num_requests_waiting{model_name="a"} 1\r\nvllm:num_requests_waiting_total 9\r\nsglang:num_queue_reqs 2\r\n')).toBe(3);
  });

  it('is 0 for metrics of none of those engines, and for an empty page', () => {
    expect(queueDepth('process_cpu_seconds_total 12.5\n')).toBe(0);
    expect(queueDepth('')).toBe(0);
  });

  it('ignores values that are not finite, non-negative numbers', () => {
    expect(queueDepth('sglang:num_queue_reqs NaN\nllamacpp:requests_deferred +Inf\nvllm:num_requests_waiting -1\n')).toBe(0);
  });
});
