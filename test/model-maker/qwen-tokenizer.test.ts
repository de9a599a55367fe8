import { describe, expect, it } from 'vitest';
import { readQwenTokenizer } from './qwen-tokenizer.js';

describe('readQwenTokenizer', () => {
  it('describes the Qwen vocabulary the way convert_hf_to_gguf.py does', async () => {
    const { vocabularySize, metadata } = await readQwenTokenizer();
    expect(vocabularySize).toBe(151_669);
    const tokens = metadata['tokenizer.ggml.tokens'];
    const types = metadata['tokenizer.ggml.token_type'];
    const merges = metadata['tokenizer.ggml.merges'];
    if (tokens?.type !== 'array' || tokens.itemType !== 'string') throw new Error('tokens are not a string array');
    if (types?.type !== 'array' || types.itemType !== 'int32') throw new Error('token types are not an int32 array');
    if (merges?.type !== 'array' || merges.itemType !== 'string') throw new Error('merges are not a string array');
    expect(tokens.values).toHaveLength(vocabularySize);
    expect(types.values).toHaveLength(vocabularySize);

    const typeOf = (token: string) => types.values[tokens.values.indexOf(token)];
    expect(typeOf('Ġthe')).toBe(1);
    expect(typeOf('<|im_start|>')).toBe(3);
    // Not special in tokenizer.json, but control-looking, so the converter makes it a control token.
    expect(typeOf('<|fim_prefix|>')).toBe(3);
    expect(typeOf('<think>')).toBe(4);
    expect(typeOf('<tool_call>')).toBe(4);

    expect(merges.values.slice(0, 3)).toEqual(['Ġ Ġ', 'ĠĠ ĠĠ', 'i n']);
    expect(metadata).toMatchObject({
      'tokenizer.ggml.model': { value: 'gpt2' },
      'tokenizer.ggml.pre': { value: 'qwen2' },
      'tokenizer.ggml.bos_token_id': { value: 151_643 },
      'tokenizer.ggml.eos_token_id': { value: 151_645 },
      'tokenizer.ggml.padding_token_id': { value: 151_643 },
      'tokenizer.ggml.add_bos_token': { value: false },
    });
  });
});
