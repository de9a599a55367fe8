import { describe, expect, it } from 'vitest';
import { canThink } from './can-think.js';

describe('canThink', () => {
  it('is false only where /models says the model cannot think', () => {
    expect(canThink({ id: 'qwen-max', capabilities: { thinking: false, thinking_default: null, vision: false } })).toBe(false);
    expect(canThink({ id: 'qwen-plus', capabilities: { thinking: true, thinking_default: 'off', vision: false } })).toBe(true);
    expect(canThink({ id: 'older-server' })).toBe(true);
    expect(canThink(undefined)).toBe(true);
  });
});
