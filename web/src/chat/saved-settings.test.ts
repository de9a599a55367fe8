import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from './chat-body.js';
import { parseSettings } from './saved-settings.js';

describe('parseSettings', () => {
  it('gives the defaults for nothing stored, or for something that is not a settings object', () => {
    for (const stored of [null, '', '{', '42', 'null', '[]']) expect(parseSettings(stored)).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps the known fields of the right type and drops the rest', () => {
    const stored = JSON.stringify({ model: 'qwen', temperature: '0.3', jsonMode: true, topK: 5, unknown: 'x', thinking: 'on' });
    expect(parseSettings(stored)).toEqual({ ...DEFAULT_SETTINGS, model: 'qwen', temperature: '0.3', jsonMode: true, thinking: 'on' });
  });

  it('falls back to the default thinking choice for a value the form does not offer', () => {
    expect(parseSettings(JSON.stringify({ thinking: 'maybe' })).thinking).toBe('default');
  });
});
