// Measures one stream's time to first token and decode speed through Studio's HTTP API on the bench model.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { pino } from 'pino';
import { startServer } from '../src/cli/serve.js';
import { loadServerConfig } from '../src/config/server-config.js';
import { benchModelPath } from '../test/test-model.js';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '128' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const tokens = Number(values.tokens);
const runs = Number(values.runs);

const median = (numbers: number[]): number => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? NaN;

const server = await startServer(
  loadServerConfig({ model: await benchModelPath(), port: '0', parallel: '1', ctx: '2048', threads: values.threads }, {}),
  { logger: pino({ level: 'silent' }), print: () => {} },
);
try {
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused' });
  const ttfts: number[] = [];
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    let first: number | undefined;
    let generated = 0;
    const stream = await client.chat.completions.create({
      model: server.modelName,
      messages: [{ role: 'user', content: 'Write a long story about a lighthouse keeper.' }],
      max_tokens: tokens,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (first === undefined && chunk.choices[0]?.delta.content) first = performance.now();
      if (chunk.usage) generated = chunk.usage.completion_tokens;
    }
    const ended = performance.now();
    ttfts.push((first ?? ended) - started);
    rates.push((generated - 1) / ((ended - (first ?? ended)) / 1000));
  }
  console.log(
    JSON.stringify({ threads: Number(values.threads), tokens, runs, ttftMs: Math.round(median(ttfts)), decodeTokensPerSecond: Number(median(rates).toFixed(1)) }),
  );
} finally {
  await server.close();
}
