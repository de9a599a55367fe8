// Moves the vLLM-named counters and histograms as each generation ends, by the catalog name of the model that served it.
import type { UnifiedFinishReason } from '../core/generation-event.js';
import type { GenerationObserver, GenerationOutcome } from './generation.js';
import type { StudioMetrics } from './studio-metrics.js';

/** vLLM's finished_reason values: stop, length, abort; anything else that ended a reply is an error. */
const FINISHED_REASON: Readonly<Record<UnifiedFinishReason, string>> = {
  stop: 'stop',
  'tool-calls': 'stop',
  length: 'length',
  'content-filter': 'error',
  error: 'error',
  other: 'error',
};

function finishedReason(outcome: GenerationOutcome): string | undefined {
  if (outcome.status === 'client_aborted') return 'abort';
  if (outcome.status === 'error' || outcome.finishReason === undefined) return undefined;
  return FINISHED_REASON[outcome.finishReason.unified];
}

/**
 * Only generations an engine started count (the model that served is then known, by its catalog
 * name). Inter-token latency is not timed token by token: each request adds its mean gap after the
 * first token, (duration − TTFT) / (output tokens − 1), once per gap, so the histogram's count is
 * the gaps as in vLLM.
 */
export function metricsObserver(metrics: StudioMetrics): GenerationObserver {
  return {
    onEnd: (_requestId, outcome) => {
      const model = outcome.modelServed;
      if (model === undefined) return;
      const labels = { model_name: model };
      const { usage, ttftMs } = outcome;
      if (usage?.inputTokens !== undefined) metrics.promptTokens.inc(labels, usage.inputTokens);
      if (usage?.outputTokens !== undefined) metrics.generationTokens.inc(labels, usage.outputTokens);
      if (usage?.cachedInputTokens !== undefined && usage.cachedInputTokens > 0) metrics.cachedPromptTokens.inc(labels, usage.cachedInputTokens);
      const reason = finishedReason(outcome);
      if (reason !== undefined) metrics.requestSuccess.inc({ ...labels, finished_reason: reason });
      if (outcome.queuedMs !== undefined) metrics.queueTime.observe(labels, outcome.queuedMs / 1000);
      metrics.e2eLatency.observe(labels, outcome.durationMs / 1000);
      if (ttftMs === undefined) return;
      metrics.timeToFirstToken.observe(labels, ttftMs / 1000);
      const gaps = (usage?.outputTokens ?? 0) - 1;
      if (gaps < 1) return;
      const gap = (outcome.durationMs - ttftMs) / gaps / 1000;
      for (let index = 0; index < gaps; index += 1) metrics.interTokenLatency.observe(labels, gap);
    },
  };
}
