// Measures what grammar-constrained requests cost a plain stream that shares their batches, at the largest schemas Studio accepts.
import { setMaxListeners } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type OpenAI from 'openai';
import { pino } from 'pino';
import { startServer } from '../src/cli/serve.js';
import { loadServerConfig } from '../src/config/server-config.js';
import { SCHEMA_LIMITS } from '../src/protocols/json-schema-bounds.js';
import { benchModelPath, tinyModelPath } from '../test/test-model.js';
import { positiveInteger } from './positive-integer.js';
import { median } from './stats.js';
import { chatClient, decodeTokensPerSecond, streamChat, timeToFirstTokenMs, type ChatTarget } from './stream-timing.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    tokens: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
  },
});
const tokens = positiveInteger('tokens', values.tokens);
const runs = positiveInteger('runs', values.runs);
if (values.model !== 'tiny' && values.model !== 'bench') throw new Error('--model is tiny or bench');

const range = (count: number): number[] => Array.from({ length: count }, (_, index) => index);
type ResponseFormat = OpenAI.Chat.ChatCompletionCreateParams['response_format'];
const jsonSchema = (schema: Record<string, unknown>): ResponseFormat => ({ type: 'json_schema', json_schema: { name: 'answer', schema } });

/** What runs beside the plain stream, over and over while it lasts. */
const neighbours: Record<string, ResponseFormat | undefined> = {
  alone: undefined,
  'json_object': { type: 'json_object' },
  // Values that share a prefix keep every one of them open for several tokens: the costliest enum.
  [`enum of ${SCHEMA_LIMITS.enumValues} (the most allowed)`]: jsonSchema({ enum: range(SCHEMA_LIMITS.enumValues).map((index) => `choice number ${index}`) }),
  // Branches that begin alike stay open together, as the tagged unions of SDKs do.
  [`oneOf of ${SCHEMA_LIMITS.alternatives} (the most allowed)`]: jsonSchema({
    oneOf: range(SCHEMA_LIMITS.alternatives).map((index) => ({
      type: 'object',
      properties: { kind: { const: `variant-${index}` }, value: { type: 'string' } },
      required: ['kind', 'value'],
    })),
  }),
  [`${SCHEMA_LIMITS.properties} properties (the most allowed)`]: jsonSchema({
    type: 'object',
    properties: Object.fromEntries(range(SCHEMA_LIMITS.properties).map((index) => [`field${index}`, { type: 'string' }])),
    required: range(SCHEMA_LIMITS.properties).map((index) => `field${index}`),
  }),
};

const modelPath = values.model === 'tiny' ? await tinyModelPath() : await benchModelPath();
const server = await startServer(loadServerConfig({ model: modelPath, port: '0', parallel: '2', ctx: '1024', threads: values.threads }, {}), {
  logger: pino({ level: 'silent' }),
  print: () => {},
});

/** Sends requests in that format one after another until stopped; resolves to how many were answered. */
async function keepBusy(target: ChatTarget, format: ResponseFormat, stop: AbortSignal): Promise<number> {
  let answered = 0;
  // Every request of the loop listens to the one signal.
  setMaxListeners(Infinity, stop);
  while (!stop.aborted) {
    await target.client.chat.completions
      .create({ model: target.model, messages: [{ role: 'user', content: 'Reply in JSON.' }], max_tokens: 32, temperature: 1, response_format: format }, { signal: stop })
      .then(
        () => answered++,
        (error: unknown) => {
          if (!stop.aborted) throw error;
        },
      );
  }
  return answered;
}

try {
  const target = { client: chatClient(server.url), model: server.catalog[0]?.name ?? '' };
  const rows: Record<string, unknown>[] = [];
  let alonePerToken: number | undefined;
  for (const [name, format] of Object.entries(neighbours)) {
    const stop = new AbortController();
    const busy = format === undefined ? Promise.resolve(0) : keepBusy(target, format, stop.signal);
    // The neighbour's first grammar is built before the plain stream starts, as a cached one would be.
    await new Promise((resolve) => setTimeout(resolve, format === undefined ? 0 : 1000));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const timings = [];
    for (let run = 0; run < runs; run++) timings.push(await streamChat(target, [{ role: 'user', content: 'Tell me a story.' }], tokens));
    loop.disable();
    stop.abort();
    const perTokenMs = 1000 / median(timings.map(decodeTokensPerSecond));
    alonePerToken ??= perTokenMs;
    rows.push({
      beside: name,
      perTokenMs: Number(perTokenMs.toFixed(1)),
      ratio: Number((perTokenMs / alonePerToken).toFixed(2)),
      ttftMs: Math.round(median(timings.map(timeToFirstTokenMs))),
      neighbourRequests: await busy,
      maxEventLoopDelayMs: Math.round(loop.max / 1e6),
    });
  }
  console.log(JSON.stringify({ model: values.model, threads: values.threads, tokens, runs, limits: SCHEMA_LIMITS }));
  console.table(rows);
} finally {
  await server.close();
}
