// Estimates from a GGUF file's header how much memory a model and its context will take, before loading it.
import { GgufInsights, readGgufFileInfo, type Llama } from 'node-llama-cpp';

export interface MemoryEstimate {
  /** Bytes of RAM: the weights left on the CPU plus the CPU part of the context. */
  readonly ramBytes: number;
  /** Bytes of GPU memory; 0 on the CPU. */
  readonly vramBytes: number;
}

export interface ContextShape {
  /** Tokens per sequence. */
  readonly contextSize: number;
  readonly sequences: number;
  readonly gpuLayers: number | 'auto' | 'max';
}

export async function estimateMemory(llama: Llama, modelPath: string, shape: ContextShape): Promise<MemoryEstimate> {
  const insights = await GgufInsights.from(await readGgufFileInfo(modelPath, { logWarnings: false }), llama);
  const gpuLayers =
    llama.gpu === false
      ? 0
      : typeof shape.gpuLayers === 'number'
        ? Math.min(shape.gpuLayers, insights.totalLayers)
        : (await insights.configurationResolver.resolveModelGpuLayersV2(shape.gpuLayers)).gpuLayers;
  const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
  // contextSize is per sequence, as the engine creates the context: node-llama-cpp gives every sequence its own
  // contextSize cells, and this estimate multiplies by the sequences itself.
  // Unlike the older estimate, this one counts the compute buffers, e.g. the logits of a large vocabulary.
  const context = await insights.estimateContextResourceRequirementsV2({
    contextSize: shape.contextSize,
    sequences: shape.sequences,
    modelGpuLayers: gpuLayers,
  });
  return { ramBytes: model.cpuRam + context.cpuRam, vramBytes: model.gpuVram + context.gpuVram };
}
