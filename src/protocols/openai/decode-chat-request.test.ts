import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../core/errors.js';
import { decodeChatRequest } from './decode-chat-request.js';

const base = { model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] };

describe('decodeChatRequest', () => {
  it('decodes the minimal request with nothing set', () => {
    expect(decodeChatRequest(base)).toEqual({
      request: { model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }], sampling: {}, stop: [] },
      stream: false,
      includeUsage: false,
    });
  });

  it('flattens text parts and treats developer messages as system messages', () => {
    const { request } = decodeChatRequest({
      ...base,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'ab' },
    ]);
  });

  it('maps sampling fields, prefers max_completion_tokens and lists a single stop string', () => {
    const { request } = decodeChatRequest({ ...base, temperature: 0, top_p: 0.5, top_k: 20, seed: 3, max_tokens: 10, max_completion_tokens: 5, stop: 'END' });
    expect(request.sampling).toEqual({ temperature: 0, topP: 0.5, topK: 20, seed: 3 });
    expect(request.maxTokens).toBe(5);
    expect(request.stop).toEqual(['END']);
  });

  it('switches top-k off above 100, as Model Studio does', () => {
    expect(decodeChatRequest({ ...base, top_k: 101 }).request.sampling.topK).toBe(0);
  });

  it('treats null fields as unset, as openai clients send them', () => {
    const { request, stream } = decodeChatRequest({ ...base, temperature: null, stop: null, stream: null, max_tokens: null });
    expect(request.sampling).toEqual({});
    expect(request.stop).toEqual([]);
    expect(request.maxTokens).toBeUndefined();
    expect(stream).toBe(false);
  });

  it('asks for usage only on a stream', () => {
    expect(decodeChatRequest({ ...base, stream_options: { include_usage: true } }).includeUsage).toBe(false);
    expect(decodeChatRequest({ ...base, stream: true, stream_options: { include_usage: true } }).includeUsage).toBe(true);
  });

  it('rejects n above 1 rather than ignoring it', () => {
    expect(() => decodeChatRequest({ ...base, n: 2 })).toThrow(InvalidRequestError);
  });

  it('reports the first bad field with its path', () => {
    try {
      decodeChatRequest({ ...base, messages: [{ role: 'user', content: 'ok' }, { role: 'user' }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).param).toBe('messages[1].content');
      expect((error as InvalidRequestError).message).toBe("Required parameter 'messages[1].content' is missing.");
    }
  });
});
