import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRemoteSource, ModelSourceError, parseModelSource } from './model-source.js';

function fileNameOf(text: string): string {
  const source = parseModelSource(text);
  if (source.kind === 'file') throw new Error(`${text} is a local file`);
  return source.fileName;
}

describe('parseModelSource', () => {
  it('keeps a Hugging Face quantization under the name node-llama-cpp gave it', () => {
    expect(fileNameOf('hf:Qwen/Qwen3-0.6B-GGUF:Q8_0')).toBe('hf_Qwen_Qwen3-0.6B.Q8_0.gguf');
    expect(fileNameOf('hf:Qwen/Qwen3-0.6B-GGUF:q4_k_m')).toBe('hf_Qwen_Qwen3-0.6B.Q4_K_M.gguf');
    expect(fileNameOf('huggingface:Qwen/Qwen3-0.6B-GGUF')).toBe('hf_Qwen_Qwen3-0.6B.gguf');
  });

  it('names a Hugging Face file by its owner, and its repository when the file name does not say it', () => {
    expect(fileNameOf('hf:Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf')).toBe('hf_Qwen_Qwen3-0.6B-Q8_0.gguf');
    expect(fileNameOf('hf:someone/models/q8/tiny.gguf')).toBe('hf_someone_models_q8_tiny.gguf');
    expect(fileNameOf('hf:Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf#dev')).toBe('hf_Qwen_Qwen3-0.6B-GGUF_dev_Qwen3-0.6B-Q8_0.gguf');
  });

  it('reads a Hugging Face resolve or blob URL as the same file as its hf: URI', () => {
    const uri = parseModelSource('hf:Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf');
    const url = parseModelSource('https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/main/Qwen3-0.6B-Q8_0.gguf?download=true');
    const blob = parseModelSource('https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/blob/main/Qwen3-0.6B-Q8_0.gguf');
    expect(url).toMatchObject({ kind: 'hugging-face', fileName: fileNameOf(uri.text), branch: 'main', target: { path: 'Qwen3-0.6B-Q8_0.gguf' } });
    expect(blob).toMatchObject({ kind: 'hugging-face', fileName: fileNameOf(uri.text) });
  });

  it('keeps a ModelScope file under a name of its own, with master as the default revision', () => {
    expect(parseModelSource('modelscope:Qwen/Qwen3-0.6B-GGUF:q8_0')).toMatchObject({
      kind: 'modelscope',
      user: 'Qwen',
      repo: 'Qwen3-0.6B-GGUF',
      branch: 'master',
      target: { tag: 'Q8_0' },
      fileName: 'ms_Qwen_Qwen3-0.6B.Q8_0.gguf',
    });
    expect(fileNameOf('modelscope:Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf')).toBe('ms_Qwen_Qwen3-0.6B-Q8_0.gguf');
    expect(fileNameOf('modelscope:someone/models/q8/tiny.gguf#v1.0')).toBe('ms_someone_models_v1.0_q8_tiny.gguf');
    expect(fileNameOf('modelscope:Qwen/Qwen3-0.6B-GGUF')).toBe('ms_Qwen_Qwen3-0.6B.gguf');
    expect(isRemoteSource('modelscope:Qwen/Qwen3-0.6B-GGUF:Q8_0')).toBe(true);
  });

  it('reads a ModelScope resolve URL as the same file as its modelscope: URI', () => {
    const uri = parseModelSource('modelscope:Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf');
    const url = parseModelSource('https://www.modelscope.cn/models/Qwen/Qwen3-0.6B-GGUF/resolve/master/Qwen3-0.6B-Q8_0.gguf');
    expect(url).toMatchObject({ kind: 'modelscope', fileName: fileNameOf(uri.text), branch: 'master', target: { path: 'Qwen3-0.6B-Q8_0.gguf' } });
    expect(parseModelSource('https://modelscope.cn/models/Qwen/Qwen3-0.6B-GGUF/summary')).toMatchObject({ kind: 'url' });
  });

  it('keeps any other URL under its last path segment', () => {
    expect(parseModelSource('http://127.0.0.1:9/models/tiny%20model.gguf?x=1')).toMatchObject({ kind: 'url', fileName: 'tiny_model.gguf' });
    expect(fileNameOf('https://example.com/download')).toBe('download.gguf');
  });

  it('takes anything else as a local path', () => {
    expect(parseModelSource('./model.gguf')).toEqual({ kind: 'file', text: './model.gguf', path: resolve('model.gguf') });
    expect(isRemoteSource('./model.gguf')).toBe(false);
    expect(isRemoteSource('hf:a/b')).toBe(true);
  });

  it('says what a source looks like when an hf: URI is incomplete', () => {
    expect(() => parseModelSource('hf:Qwen')).toThrow(ModelSourceError);
    expect(() => parseModelSource('hf:Qwen/')).toThrow(/hf:Qwen\/Qwen3-0.6B-GGUF:Q8_0/);
    expect(() => parseModelSource('modelscope:Qwen')).toThrow(/modelscope:Qwen\/Qwen3-0.6B-GGUF:Q8_0/);
  });
});
