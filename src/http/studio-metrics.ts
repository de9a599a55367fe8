// Studio's Prometheus registry: vLLM's metrics by model_name, Studio's own under studio_, and Node's process metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineStats } from '../core/engine.js';

/** vLLM's bucket boundaries (vllm/v1/metrics/loggers.py), so dashboards built for vLLM read the same quantiles. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const INTER_TOKEN_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const REQUEST_LATENCY_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const LEDGER_WRITE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const MODEL_LOAD_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

type ModelLabel = 'model_name';

/**
 * One registry per app, so several servers in one process (the tests) never share counts. Gauges are
 * read from the engines when scraped; counters and histograms move as requests end (metricsObserver)
 * and as models load (serve's pool events).
 */
export class StudioMetrics {
  readonly registry = new Registry();
  #stats: () => readonly EngineStats[] = () => [];

  readonly promptTokens: Counter<ModelLabel>;
  readonly generationTokens: Counter<ModelLabel>;
  readonly requestSuccess: Counter<ModelLabel | 'finished_reason'>;
  readonly timeToFirstToken: Histogram<ModelLabel>;
  readonly e2eLatency: Histogram<ModelLabel>;
  readonly queueTime: Histogram<ModelLabel>;
  readonly interTokenLatency: Histogram<ModelLabel>;
  readonly cachedPromptTokens: Counter<ModelLabel>;
  readonly requests: Counter<'wire' | 'route' | 'status'>;
  readonly rateLimited: Counter<'scope'>;
  readonly budgetRefused: Counter;
  readonly modelLoads: Counter<ModelLabel>;
  readonly modelUnloads: Counter<ModelLabel | 'reason'>;
  readonly modelLoadTime: Histogram<ModelLabel>;
  readonly ledgerWrite: Histogram;
  readonly llamaAddon: Gauge<'build'>;

  constructor() {
    const registers = [this.registry];
    const stats = (): readonly EngineStats[] => this.#stats();
    const modelGauge = (name: string, help: string, value: (model: EngineStats) => number | undefined): void => {
      new Gauge({
        name,
        help,
        labelNames: ['model_name'],
        registers,
        collect() {
          this.reset();
          for (const model of stats()) {
            const reading = value(model);
            if (reading !== undefined) this.set({ model_name: model.model }, reading);
          }
        },
      });
    };
    modelGauge('vllm:num_requests_running', 'Number of requests generating now.', (model) => model.running);
    modelGauge('vllm:num_requests_waiting', 'Number of requests waiting for capacity (a sequence, a model load).', (model) => model.waiting);
    modelGauge('studio_batch_requests_running', 'Batch-priority generations running now; not in vllm:num_requests_running, since live requests preempt them.', (model) => model.batchRunning);
    modelGauge('studio_batch_requests_waiting', 'Batch-priority generations waiting for capacity live requests leave.', (model) => model.batchWaiting);
    modelGauge('vllm:kv_cache_usage_perc', 'KV-cache usage by live requests, 1 = full (for a local model: the share of its sequences they hold).', (model) => model.kvCacheUsage);
    const endpointGauge = (name: string, help: string, value: (endpoint: { healthy: boolean; inFlight: number }) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['model_name', 'endpoint'],
        registers,
        collect() {
          this.reset();
          for (const model of stats()) for (const endpoint of model.endpoints ?? []) this.set({ model_name: model.model, endpoint: endpoint.endpoint }, value(endpoint));
        },
      });
    };
    endpointGauge('studio_upstream_endpoint_healthy', 'Whether an upstream endpoint takes requests now (1) or is down (0).', (endpoint) => (endpoint.healthy ? 1 : 0));
    endpointGauge('studio_upstream_endpoint_in_flight', 'Requests this instance has open on an upstream endpoint.', (endpoint) => endpoint.inFlight);

    const model = { labelNames: ['model_name'] as const, registers };
    this.promptTokens = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Number of prefill tokens processed.', ...model });
    this.generationTokens = new Counter({ name: 'vllm:generation_tokens_total', help: 'Number of generation tokens processed.', ...model });
    this.requestSuccess = new Counter({
      name: 'vllm:request_success_total',
      help: 'Count of successfully processed requests.',
      labelNames: ['model_name', 'finished_reason'],
      registers,
    });
    this.timeToFirstToken = new Histogram({ name: 'vllm:time_to_first_token_seconds', help: 'Histogram of time to first token in seconds.', buckets: TTFT_BUCKETS, ...model });
    this.e2eLatency = new Histogram({ name: 'vllm:e2e_request_latency_seconds', help: 'Histogram of e2e request latency in seconds.', buckets: REQUEST_LATENCY_BUCKETS, ...model });
    this.queueTime = new Histogram({ name: 'vllm:request_queue_time_seconds', help: 'Histogram of time spent waiting for admission in seconds.', buckets: REQUEST_LATENCY_BUCKETS, ...model });
    this.interTokenLatency = new Histogram({
      name: 'vllm:inter_token_latency_seconds',
      help: "Histogram of inter-token latency in seconds (each request's mean gap after its first token, once per token).",
      buckets: INTER_TOKEN_BUCKETS,
      ...model,
    });
    this.cachedPromptTokens = new Counter({ name: 'studio_prompt_cached_tokens_total', help: 'Prompt tokens served from the prefix cache rather than evaluated.', ...model });
    this.requests = new Counter({
      name: 'studio_http_requests_total',
      help: 'HTTP requests answered, by wire, route pattern and status.',
      labelNames: ['wire', 'route', 'status'],
      registers,
    });
    this.rateLimited = new Counter({ name: 'studio_rate_limited_total', help: "Requests refused 429 by a key's rate limits (key) or a full queue (queue).", labelNames: ['scope'], registers });
    this.budgetRefused = new Counter({ name: 'studio_budget_refused_total', help: 'Requests refused because their key had spent its budget.', registers });
    this.modelLoads = new Counter({ name: 'studio_model_loads_total', help: 'Local model loads.', ...model });
    this.modelUnloads = new Counter({ name: 'studio_model_unloads_total', help: 'Local model unloads, by reason.', labelNames: ['model_name', 'reason'], registers });
    this.modelLoadTime = new Histogram({ name: 'studio_model_load_seconds', help: 'Time to load a local model in seconds.', buckets: MODEL_LOAD_BUCKETS, ...model });
    this.ledgerWrite = new Histogram({
      name: 'studio_ledger_write_seconds',
      help: "Time to commit a request's usage-ledger row in seconds (each reply's final byte waits for it).",
      buckets: LEDGER_WRITE_BUCKETS,
      registers,
    });
    this.llamaAddon = new Gauge({
      name: 'studio_llama_addon_info',
      help: "The build of node-llama-cpp's addon local models run on (patched, prebuilt or source-build), as 1; absent until llama.cpp has loaded.",
      labelNames: ['build'],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Names the addon llama.cpp runs on, once it has loaded. */
  llamaAddonLoaded(build: string): void {
    this.llamaAddon.reset();
    this.llamaAddon.set({ build }, 1);
  }

  /** Where the gauges read each model's load at scrape time: the engine the app serves. */
  watch(stats: () => readonly EngineStats[]): void {
    this.#stats = stats;
  }

  modelLoaded(model: string, ms: number): void {
    this.modelLoads.inc({ model_name: model });
    this.modelLoadTime.observe({ model_name: model }, ms / 1000);
  }

  modelUnloaded(model: string, reason: string): void {
    this.modelUnloads.inc({ model_name: model, reason });
  }
}
