// node-llama-cpp with its binding, and the modules of ours that use it, loaded in the background: importing them and
// checking the binding take seconds, which a server spends opening its store and its port instead of waiting.
import type { Llama } from 'node-llama-cpp';
import type { estimateMemory } from './estimate-memory.js';
import type { LlamaEngine } from './llama-engine.js';

export interface LlamaRuntime {
  /** The binding, shared by every model the pool loads. */
  readonly llama: Llama;
  readonly LlamaEngine: typeof LlamaEngine;
  readonly estimateMemory: typeof estimateMemory;
}

/** `cpuOnly` loads the CPU binding alone, without looking for a GPU's (`--gpu off`). */
export async function loadLlamaRuntime(cpuOnly: boolean): Promise<LlamaRuntime> {
  // The binding's check (node-llama-cpp runs it in a child process) starts as soon as node-llama-cpp is in, while our engine's modules still load.
  const llama = import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) => getLlama({ gpu: cpuOnly ? false : 'auto', logLevel: LlamaLogLevel.error }));
  const [binding, engine, memory] = await Promise.all([llama, import('./llama-engine.js'), import('./estimate-memory.js')]);
  return { llama: binding, LlamaEngine: engine.LlamaEngine, estimateMemory: memory.estimateMemory };
}
