// The Qwen3 test models: their shapes, the tensors llama.cpp's qwen3 loader expects, and seeded random weights.
import { GgmlType, GgufFileType } from 'node-llama-cpp';
import { writeGgufFile, type GgufMetadata, type GgufTensor } from './gguf-writer.js';
import { readQwenTokenizer } from './qwen-tokenizer.js';
import { normalValues } from './seeded-normal.js';

export const DEFAULT_SEED = 1;

// Small enough that activations stay tame through the random layers, like a freshly initialized transformer.
const WEIGHT_STD = 0.02;

export interface Qwen3Shape {
  /** The most positions the model claims to handle (qwen3.context_length). */
  readonly contextLength: number;
  readonly embeddingLength: number;
  readonly blockCount: number;
  readonly feedForwardLength: number;
  readonly headCount: number;
  readonly headCountKv: number;
  readonly headDim: number;
  /** Storage of the 2-D weights; norms stay F32 as in llama.cpp's own quantized files. */
  readonly weightType: GgmlType.F32 | GgmlType.Q8_0;
}

export const qwen3Shapes = {
  // A few milliseconds per token, yet every code path of a real Qwen3: GQA, q/k norms, tied embeddings, the full
  // vocabulary. F32 leaves quantization out of the picture; the 151,669 x 64 embedding makes the file ~43 MB.
  tiny: {
    contextLength: 8192,
    embeddingLength: 64,
    blockCount: 2,
    feedForwardLength: 128,
    headCount: 4,
    headCountKv: 2,
    headDim: 16,
    weightType: GgmlType.F32,
  },
  // Qwen3-0.6B's exact shape in Q8_0, so speed measured on it stands for the real model's.
  bench: {
    contextLength: 40960,
    embeddingLength: 1024,
    blockCount: 28,
    feedForwardLength: 3072,
    headCount: 16,
    headCountKv: 8,
    headDim: 128,
    weightType: GgmlType.Q8_0,
  },
} as const satisfies Record<string, Qwen3Shape>;

export type Qwen3ShapeName = keyof typeof qwen3Shapes;

export function isQwen3ShapeName(name: string): name is Qwen3ShapeName {
  return Object.hasOwn(qwen3Shapes, name);
}

const FILE_TYPES: Record<Qwen3Shape['weightType'], GgufFileType> = {
  [GgmlType.F32]: GgufFileType.ALL_F32,
  [GgmlType.Q8_0]: GgufFileType.MOSTLY_Q8_0,
};

// convert_hf_to_gguf.py stamps every file with ggml's current quantization format version.
const GGML_QUANT_VERSION = 2;

function qwen3Metadata(shapeName: Qwen3ShapeName, seed: number): GgufMetadata {
  const shape: Qwen3Shape = qwen3Shapes[shapeName];
  const uint32 = (value: number) => ({ type: 'uint32', value }) as const;
  return {
    'general.architecture': { type: 'string', value: 'qwen3' },
    'general.type': { type: 'string', value: 'model' },
    'general.name': { type: 'string', value: `Studio Test Qwen3 ${shapeName} seed ${seed}` },
    'general.file_type': uint32(FILE_TYPES[shape.weightType]),
    'general.quantization_version': uint32(GGML_QUANT_VERSION),
    'qwen3.context_length': uint32(shape.contextLength),
    'qwen3.embedding_length': uint32(shape.embeddingLength),
    'qwen3.block_count': uint32(shape.blockCount),
    'qwen3.feed_forward_length': uint32(shape.feedForwardLength),
    'qwen3.attention.head_count': uint32(shape.headCount),
    'qwen3.attention.head_count_kv': uint32(shape.headCountKv),
    // Qwen3's head_dim is not embedding_length / head_count (128 vs 64 for 0.6B), so both lengths must be explicit.
    'qwen3.attention.key_length': uint32(shape.headDim),
    'qwen3.attention.value_length': uint32(shape.headDim),
    'qwen3.rope.freq_base': { type: 'float32', value: 1_000_000 },
    'qwen3.attention.layer_norm_rms_epsilon': { type: 'float32', value: 1e-6 },
  };
}

/** Tensors as llama_model_qwen3::load_arch_tensors names and sizes them, dims innermost first. */
export function qwen3Tensors(shape: Qwen3Shape, vocabularySize: number, seed: number): GgufTensor[] {
  const { embeddingLength: embedding, feedForwardLength: feedForward, headDim, weightType } = shape;
  const queryLength = headDim * shape.headCount;
  const keyValueLength = headDim * shape.headCountKv;

  const weight = (name: string, dims: [number, number]): GgufTensor => ({
    name,
    dims,
    type: weightType,
    values: () => normalValues(seed, name, dims[0] * dims[1], WEIGHT_STD),
  });
  const norm = (name: string, length: number): GgufTensor => ({
    name,
    dims: [length],
    type: GgmlType.F32,
    values: () => [new Float32Array(length).fill(1)],
  });

  const blocks = Array.from({ length: shape.blockCount }, (_, block) => {
    const prefix = `blk.${block}`;
    return [
      norm(`${prefix}.attn_norm.weight`, embedding),
      weight(`${prefix}.attn_q.weight`, [embedding, queryLength]),
      weight(`${prefix}.attn_k.weight`, [embedding, keyValueLength]),
      weight(`${prefix}.attn_v.weight`, [embedding, keyValueLength]),
      weight(`${prefix}.attn_output.weight`, [queryLength, embedding]),
      norm(`${prefix}.attn_q_norm.weight`, headDim),
      norm(`${prefix}.attn_k_norm.weight`, headDim),
      norm(`${prefix}.ffn_norm.weight`, embedding),
      weight(`${prefix}.ffn_gate.weight`, [embedding, feedForward]),
      weight(`${prefix}.ffn_up.weight`, [embedding, feedForward]),
      weight(`${prefix}.ffn_down.weight`, [feedForward, embedding]),
    ];
  });

  // No output.weight: llama.cpp then projects the logits through token_embd, the tied embeddings of the small Qwen3s.
  return [
    weight('token_embd.weight', [embedding, vocabularySize]),
    ...blocks.flat(),
    norm('output_norm.weight', embedding),
  ];
}

/** Writes the model atomically, so a reader never sees a partial file. */
export async function writeQwen3Model(path: string, shapeName: Qwen3ShapeName, seed: number): Promise<void> {
  const tokenizer = await readQwenTokenizer();
  await writeGgufFile(path, {
    metadata: { ...qwen3Metadata(shapeName, seed), ...tokenizer.metadata },
    tensors: qwen3Tensors(qwen3Shapes[shapeName], tokenizer.vocabularySize, seed),
  });
}
