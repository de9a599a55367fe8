// The conversation key: one per system prompt and first user turn, whatever follows.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../core/chat-request.js';
import { conversationKey } from './conversation-key.js';

const key = (...messages: ChatMessage[]): string => conversationKey({ messages });

describe('conversationKey', () => {
  it('is the same for every turn of one conversation', () => {
    const first = key({ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' });
    const third = key(
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'And then?' },
    );
    expect(third).toBe(first);
  });

  it('differs when the system prompt, the first user turn or its images differ', () => {
    const keys = [
      key({ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }),
      key({ role: 'system', content: 'Be long.' }, { role: 'user', content: 'Hi' }),
      key({ role: 'user', content: 'Hi' }),
      key({ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }),
      key({ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi', parts: [{ type: 'text', text: 'Hi' }, { type: 'image', url: 'https://example.com/a.png' }] }),
      key({ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi', parts: [{ type: 'text', text: 'Hi' }, { type: 'image', url: 'https://example.com/b.png' }] }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
