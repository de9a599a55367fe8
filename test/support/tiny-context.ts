// A llama.cpp context on the tiny test model, for tests of code that works on node-llama-cpp directly.
import { getLlama, LlamaLogLevel, type LlamaContext, type LlamaContextOptions } from 'node-llama-cpp';
import { tinyModelPath } from '../test-model.js';

/** Dispose of it with `context.model.llama.dispose()`. */
export async function tinyContext(options: LlamaContextOptions): Promise<LlamaContext> {
  const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: await tinyModelPath() });
  return model.createContext(options);
}
