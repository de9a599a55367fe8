// `npx tsx bench/decode-floor.ts`: node-llama-cpp's own token loop against a plain C++ loop over the very same
// llama.cpp binary, model and settings, taking turns. It tells how much of Studio's single-stream gap to llama-server
// lies beneath Studio, in node-llama-cpp, rather than in Studio's own code. `npm run bench` reports it in its table too.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { benchModelPath } from '../test/test-model.js';
import { measureDecodeFloor } from './measure-decode-floor.js';
import { positiveInteger } from './positive-integer.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(availableParallelism()) },
    parallel: { type: 'string', default: '8' },
    ctx: { type: 'string', default: '2048' },
    tokens: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '8' },
  },
});

let round = 0;
const result = await measureDecodeFloor({
  model: await benchModelPath(),
  threads: positiveInteger('threads', values.threads),
  parallel: positiveInteger('parallel', values.parallel),
  ctx: positiveInteger('ctx', values.ctx),
  tokens: positiveInteger('tokens', values.tokens),
  rounds: positiveInteger('rounds', values.rounds),
  onRound: ({ nodeLlamaCppMs, plainMs }) =>
    console.log(`round ${++round}: node-llama-cpp ${nodeLlamaCppMs.toFixed(2)} ms/token, plain C++ loop ${plainMs.toFixed(2)} ms/token, ratio ${(nodeLlamaCppMs / plainMs).toFixed(3)}`),
});
console.log(`node-llama-cpp addon: ${result.addon === 'prebuilt' ? 'prebuilt' : 'local build (native/, when npm ci built it)'}`);
console.log(`node-llama-cpp / plain loop, median of ${result.rounds.length} rounds: ${result.ratio.toFixed(3)}×`);
