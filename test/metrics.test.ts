// GET /metrics scraped with a real Prometheus text parser: vLLM's counters and histograms move as the clients' usage says, with no key or prompt in it.
import OpenAI from 'openai';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGeneration, parseSse, type Packet } from './support/dashscope-client.js';
import { endpointOf, upstreamModel } from './support/upstream-catalog.js';
import { startCatalogServer, startTestServer, type TestServer } from './support/test-server.js';

const KEY = 'sk-metrics-test-key-0123456789';
const PROMPT = 'Tell me about the purple walrus of Metricsville.';
const messages = [{ role: 'user' as const, content: PROMPT }];

type Families = ReadonlyMap<string, PrometheusFamily>;

/**
 * The parser keeps a histogram's count and labels only when it has no labels; without the TYPE line
 * its `_count`, `_sum` and `_bucket` samples parse as families of their own, labels and all.
 */
function withHistogramsUntyped(text: string): string {
  return text.replace(/^# TYPE \S+ histogram$/gm, '');
}

async function scrape(url: string): Promise<{ text: string; families: Families; types: ReadonlyMap<string, string> }> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return {
    text,
    families: new Map(parsePrometheusTextFormat(withHistogramsUntyped(text)).map((family) => [family.name, family])),
    types: new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family.type])),
  };
}

/** The sum of a family's values over the samples whose labels include `labels`. */
function total(families: Families, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (family === undefined) return 0;
  return family.metrics
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value))
    .reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);
}

describe('GET /metrics', () => {
  let server: TestServer;
  let front: Awaited<ReturnType<typeof startCatalogServer>>;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startTestServer({ 'api-key': [KEY], ctx: '256' });
    front = await startCatalogServer([upstreamModel('remote', [endpointOf(server.baseURL, { model: server.modelName, apiKey: KEY })])]);
    client = new OpenAI({ baseURL: server.baseURL, apiKey: KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await front?.close();
    await server?.close();
  });

  it('counts tokens, requests and latencies as the clients saw them', async () => {
    const model = server.modelName;
    // A stream the client leaves after its first text: finished as an abort.
    const cancelled = await client.chat.completions.create({ model, messages, max_tokens: 64, stream: true });
    for await (const chunk of cancelled) if (chunk.choices[0]?.delta.content) break;
    let before = (await scrape(server.url)).families;
    // The abort is counted when the generation ends; its ledger row is committed a moment later.
    const settled = async (): Promise<boolean> => {
      before = (await scrape(server.url)).families;
      return total(before, 'vllm:request_success_total', { model_name: model, finished_reason: 'abort' }) === 1 && total(before, 'studio_ledger_write_seconds_count') === 1;
    };
    const deadline = performance.now() + 10_000;
    while (!(await settled()) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(total(before, 'vllm:request_success_total', { finished_reason: 'abort' })).toBe(1);
    expect(total(before, 'studio_ledger_write_seconds_count')).toBe(1);

    const seen: { input: number; output: number }[] = [];
    const blocking = await client.chat.completions.create({ model, messages, max_tokens: 8 });
    seen.push({ input: blocking.usage!.prompt_tokens, output: blocking.usage!.completion_tokens });
    const stream = await client.chat.completions.create({ model, messages, max_tokens: 8, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) if (chunk.usage) seen.push({ input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens });
    const native = (await (await callGeneration(server.url, { body: { model, input: { messages }, parameters: { max_tokens: 8 } }, apiKey: KEY })).json()) as Packet;
    seen.push({ input: native.usage.input_tokens, output: native.usage.output_tokens });
    const nativeStream = await callGeneration(server.url, {
      body: { model, input: { messages }, parameters: { max_tokens: 8, incremental_output: true } },
      apiKey: KEY,
      headers: { 'X-DashScope-SSE': 'enable' },
    });
    const packets = parseSse(await nativeStream.text()).map((event) => JSON.parse(event.data) as Packet);
    const last = packets.at(-1)!;
    seen.push({ input: last.usage.input_tokens, output: last.usage.output_tokens });
    await expect(client.chat.completions.create({ model: 'no-such-model', messages })).rejects.toMatchObject({ status: 404 });
    expect((await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', headers: { Authorization: 'Bearer wrong-key' }, body: '{}' })).status).toBe(401);

    const { text, families, types } = await scrape(server.url);
    const labels = { model_name: model };
    const grew = (name: string, only: Record<string, string> = labels): number => total(families, name, only) - total(before, name, only);
    expect(grew('vllm:prompt_tokens_total')).toBe(seen.reduce((sum, usage) => sum + usage.input, 0));
    expect(grew('vllm:generation_tokens_total')).toBe(seen.reduce((sum, usage) => sum + usage.output, 0));
    expect(grew('vllm:time_to_first_token_seconds_count')).toBe(4);
    expect(total(families, 'vllm:time_to_first_token_seconds_count', labels)).toBe(5);
    expect(grew('vllm:e2e_request_latency_seconds_count')).toBe(4);
    expect(grew('vllm:request_queue_time_seconds_count')).toBe(4);
    const finished = total(families, 'vllm:request_success_total', { ...labels, finished_reason: 'stop' }) + total(families, 'vllm:request_success_total', { ...labels, finished_reason: 'length' });
    expect(finished).toBe(4);
    for (const name of ['vllm:time_to_first_token_seconds', 'vllm:e2e_request_latency_seconds', 'vllm:request_queue_time_seconds', 'vllm:inter_token_latency_seconds']) {
      expect(types.get(name)).toBe('HISTOGRAM');
    }
    // One inter-token gap per generated token after each request's first.
    expect(grew('vllm:inter_token_latency_seconds_count')).toBe(seen.reduce((sum, usage) => sum + Math.max(0, usage.output - 1), 0));
    expect(total(families, 'vllm:num_requests_running', labels)).toBe(0);
    expect(total(families, 'vllm:num_requests_waiting', labels)).toBe(0);
    expect(families.get('vllm:kv_cache_usage_perc')?.metrics[0]?.labels).toEqual(labels);

    expect(total(families, 'studio_http_requests_total', { wire: 'openai', route: '/compatible-mode/v1/chat/completions', status: '200' })).toBe(3);
    expect(total(families, 'studio_http_requests_total', { wire: 'dashscope', status: '200' })).toBe(2);
    expect(total(families, 'studio_http_requests_total', { wire: 'openai', status: '404' })).toBe(1);
    expect(total(families, 'studio_http_requests_total', { wire: 'openai', status: '401' })).toBe(1);
    expect(total(families, 'studio_model_loads_total', labels)).toBe(1);
    // The addon npm ci left (native/README.md): the patched build, or node-llama-cpp's prebuilt one where it could not build.
    expect(families.get('studio_llama_addon_info')?.metrics).toEqual([{ labels: { build: expect.stringMatching(/^(patched|prebuilt)$/) }, value: '1' }]);
    // Every generation started writes its ledger row, the unknown model's included.
    expect(grew('studio_ledger_write_seconds_count', {})).toBe(5);
    expect(families.has('process_cpu_user_seconds_total')).toBe(true);

    expect(text).not.toContain(KEY);
    expect(text).not.toContain('wrong-key');
    expect(text).not.toContain('walrus');
    expect(text).not.toContain('no-such-model');
  });

  it('shows an upstream model by its catalog name, with its endpoint', async () => {
    const remote = new OpenAI({ baseURL: front.baseURL, apiKey: 'unused', maxRetries: 0 });
    const reply = await remote.chat.completions.create({ model: 'remote', messages, max_tokens: 4 });
    const { families } = await scrape(front.url);
    expect(total(families, 'vllm:prompt_tokens_total', { model_name: 'remote' })).toBe(reply.usage!.prompt_tokens);
    expect(total(families, 'vllm:request_success_total', { model_name: 'remote' })).toBe(1);
    const endpoint = new URL(server.url).host;
    expect(total(families, 'studio_upstream_endpoint_healthy', { model_name: 'remote', endpoint })).toBe(1);
    expect(total(families, 'studio_upstream_endpoint_in_flight', { model_name: 'remote', endpoint })).toBe(0);
  });
});
