import { describe, expect, it } from 'vitest';
import { ModelNotFoundError } from './errors.js';

describe('ModelNotFoundError', () => {
  it('keeps Model Studio\'s sentence and adds the served names with their aliases', () => {
    const error = new ModelNotFoundError('qwen3-0.6b-q8_0', [{ id: 'qwen-turbo', aliases: ['qwen3-0.6b'] }, { id: 'qwen-plus', aliases: [] }, { id: 'tiny' }]);
    expect(error.message).toBe('The model `qwen3-0.6b-q8_0` does not exist or you do not have access to it. Available models: qwen-turbo (also qwen3-0.6b), qwen-plus, tiny.');
  });

  it('names the first models of a long catalog and counts the rest', () => {
    const error = new ModelNotFoundError('x', Array.from({ length: 30 }, (_, index) => ({ id: `model-${index}`, aliases: [`alias-${index}`] })));
    expect(error.message).toContain('Available models: model-0 (also alias-0), ');
    expect(error.message).toContain('model-7 (also alias-7) and 22 more.');
    expect(error.message).not.toContain('model-8');
  });

  it('says when nothing is served, and stays Model Studio\'s sentence when the caller does not know', () => {
    expect(new ModelNotFoundError('x', []).message).toBe('The model `x` does not exist or you do not have access to it. No models are served.');
    expect(new ModelNotFoundError('x').message).toBe('The model `x` does not exist or you do not have access to it.');
  });
});
