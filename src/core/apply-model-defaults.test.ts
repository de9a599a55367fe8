import { describe, expect, it } from 'vitest';
import { applyModelDefaults } from './apply-model-defaults.js';
import type { ChatRequest } from './chat-request.js';
import { InvalidRequestError } from './errors.js';
import type { CatalogEntry } from './model-catalog.js';

const entry: CatalogEntry = {
  name: 'qwen3-0.6b',
  aliases: ['qwen-turbo'],
  context: 4096,
  maxOutputTokens: 1000,
  defaults: { temperature: 0.3, topK: 5, systemPrompt: 'You are a helpful assistant.' },
  thinking: { supported: true, default: 'off' },
  vision: false,
  fallbacks: [],
};

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

const request: ChatRequest = { model: 'qwen-turbo', messages: [{ role: 'user', content: 'Hi' }], sampling: { topK: 50 }, stop: [] };

describe('applyModelDefaults', () => {
  it('runs the request under the canonical name with the entry defaults beneath its own settings', () => {
    const applied = applyModelDefaults(request, entry);
    expect(applied.model).toBe('qwen3-0.6b');
    expect(applied.sampling).toEqual({ temperature: 0.3, topK: 50 });
    expect(applied.maxTokens).toBe(1000);
    expect(applied.thinking).toEqual({ enabled: false });
  });

  it('adds the default system prompt only to a request without one', () => {
    expect(applyModelDefaults(request, entry).messages).toEqual([{ role: 'system', content: 'You are a helpful assistant.' }, ...request.messages]);
    const own = { ...request, messages: [{ role: 'system' as const, content: 'Be terse.' }, ...request.messages] };
    expect(applyModelDefaults(own, entry).messages).toEqual(own.messages);
    expect(applyModelDefaults(request, { ...entry, defaults: { systemPrompt: null } }).messages).toEqual(request.messages);
  });

  it('keeps what the request says about thinking, and leaves it to the model when the entry has no default', () => {
    expect(applyModelDefaults({ ...request, thinking: { enabled: true, budgetTokens: 50 } }, entry).thinking).toEqual({ enabled: true, budgetTokens: 50 });
    expect(applyModelDefaults(request, { ...entry, thinking: { supported: true } }).thinking).toBeUndefined();
  });

  it('refuses thinking on a model without it, and turns it off otherwise', () => {
    const noThinking = { ...entry, thinking: { supported: false } };
    expect(applyModelDefaults(request, noThinking).thinking).toEqual({ enabled: false });
    const error = thrownBy(() => applyModelDefaults({ ...request, thinking: { enabled: true } }, noThinking));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ message: 'The model qwen-turbo does not support enable_thinking.', param: 'enable_thinking' });
  });

  it('refuses max_tokens above the model maximum output, in Model Studio words', () => {
    expect(applyModelDefaults({ ...request, maxTokens: 1000 }, entry).maxTokens).toBe(1000);
    const error = thrownBy(() => applyModelDefaults({ ...request, maxTokens: 1001 }, entry));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ message: 'Range of max_tokens should be [1, 1000]', param: 'max_tokens' });
  });
});
