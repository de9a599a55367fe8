// The line under a reply: time to first token, speed, tokens (prompt, cached, completion) and cost.
import { formatCost, replyCost } from './reply-cost.js';
import { replyMetrics } from './reply-metrics.js';
import type { AssistantEntry } from './chat-entry.js';

function Metric({ name, value }: { name: string; value: string }) {
  return (
    <span class="metric">
      <span class="metric-name">{name}</span> <span class="metric-value">{value}</span>
    </span>
  );
}

export function ReplyMetricsLine({ entry }: { entry: AssistantEntry }) {
  const usage = entry.reply.usage;
  const metrics = replyMetrics(entry.timing, usage?.completion_tokens);
  const cost = replyCost(entry.pricing, usage, entry.thinking);
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  return (
    <div class="metrics" aria-label="Reply metrics">
      {metrics.timeToFirstTokenMs !== undefined && <Metric name="first token" value={`${Math.round(metrics.timeToFirstTokenMs)} ms`} />}
      {metrics.tokensPerSecond !== undefined && <Metric name="speed" value={`${metrics.tokensPerSecond.toFixed(1)} tokens/s`} />}
      {usage?.prompt_tokens !== undefined && <Metric name="prompt" value={`${usage.prompt_tokens} tokens${cached === undefined ? '' : ` (${cached} cached)`}`} />}
      {usage?.completion_tokens !== undefined && <Metric name="completion" value={`${usage.completion_tokens} tokens`} />}
      {usage !== undefined && <Metric name="cost" value={cost === undefined ? 'no price in the catalog' : formatCost(cost)} />}
      {entry.status === 'stopped' && <Metric name="stopped" value="by you; the server counts no usage to show here" />}
      {entry.reply.finishReason !== undefined && entry.reply.finishReason !== 'stop' && <Metric name="finish" value={entry.reply.finishReason} />}
    </div>
  );
}
