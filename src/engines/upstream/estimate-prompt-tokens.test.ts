import { describe, expect, it } from 'vitest';
import { estimatePromptTokens } from './estimate-prompt-tokens.js';

describe('estimatePromptTokens', () => {
  it('counts a token per 3 UTF-8 bytes of text, rounded up, 5 per message and 3 for the reply opening', () => {
    expect(estimatePromptTokens({ messages: [{ role: 'user', content: 'abcdefg' }] })).toBe(3 + 5 + 3);
    // Three characters of nine bytes.
    expect(estimatePromptTokens({ messages: [{ role: 'system', content: '你好吗' }, { role: 'user', content: '' }] })).toBe(3 + 10 + 3);
  });

  it('counts tool calls, tool definitions and a fixed share per image', () => {
    const withImage = estimatePromptTokens({
      messages: [{ role: 'user', content: 'x', parts: [{ type: 'text', text: 'x' }, { type: 'image', url: 'https://example.com/a.png' }] }],
    });
    expect(withImage).toBe(3 + 5 + 1 + 1280);
    const withCall = estimatePromptTokens({ messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'abc', arguments: '{}' }] }] });
    expect(withCall).toBe(3 + 5 + 2);
    const tools = [{ name: 'f', parameters: {} }];
    expect(estimatePromptTokens({ messages: [], tools })).toBe(3 + Math.ceil(JSON.stringify(tools).length / 3));
  });
});
