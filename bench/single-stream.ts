// Measures one stream's time to first token and decode speed through Studio's HTTP API on the bench model.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startServer } from '../src/cli/serve.js';
import { loadServerConfig } from '../src/config/server-config.js';
import { benchModelPath } from '../test/test-model.js';
import { positiveInteger } from './positive-integer.js';
import { median } from './stats.js';
import { chatClient, decodeTokensPerSecond, streamChat, timeToFirstTokenMs, type StreamTiming } from './stream-timing.js';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '128' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const tokens = positiveInteger('tokens', values.tokens);
const runs = positiveInteger('runs', values.runs);
const threads = positiveInteger('threads', values.threads);

const server = await startServer(
  loadServerConfig({ model: await benchModelPath(), port: '0', parallel: '1', ctx: '2048', threads: values.threads }, {}),
  { logger: pino({ level: 'silent' }), print: () => {} },
);
try {
  const target = { client: chatClient(server.url), model: server.catalog[0]?.name ?? '' };
  const timings: StreamTiming[] = [];
  for (let run = 0; run < runs; run++) {
    timings.push(await streamChat(target, [{ role: 'user', content: 'Write a long story about a lighthouse keeper.' }], tokens));
  }
  console.log(
    JSON.stringify({
      threads,
      tokens,
      runs,
      ttftMs: Math.round(median(timings.map(timeToFirstTokenMs))),
      decodeTokensPerSecond: Number(median(timings.map(decodeTokensPerSecond)).toFixed(1)),
    }),
  );
} finally {
  await server.close();
}
