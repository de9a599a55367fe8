// A model pool as a start-up builds one, on the CPU with one thread and small queues, for tests that drive the pool itself.
import { MODEL_STUDIO_SAMPLING } from '../../src/config/model-entry-schema.js';
import { LlamaModelPool, type LlamaModelPoolOptions, type PooledModel } from '../../src/engines/llama/llama-model-pool.js';
import { loadLlamaRuntime } from '../../src/engines/llama/llama-runtime.js';

export function testPool(models: readonly PooledModel[], options: Partial<LlamaModelPoolOptions> = {}): LlamaModelPool {
  return LlamaModelPool.create({
    models,
    maxLoadedModels: 1,
    memoryBudgetBytes: 8 * 1024 ** 3,
    idleUnloadMs: 0,
    loadTimeoutMs: 60_000,
    runtime: loadLlamaRuntime(true),
    threads: 1,
    defaultSampling: MODEL_STUDIO_SAMPLING,
    maxQueue: 4,
    queueTimeoutMs: 60_000,
    resolveSource: async (source) => source,
    ...options,
  });
}
