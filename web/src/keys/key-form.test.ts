import { describe, expect, it } from 'vitest';
import type { AdminKey } from './admin-keys.js';
import { EMPTY_KEY_FORM, InvalidKeyForm, keyChange, keyForm, limitsText } from './key-form.js';

const key: AdminKey = {
  id: 'key_1',
  name: 'ci',
  prefix: 'sk-AbCd1234',
  state: 'active',
  limits: { rpm: 60, budget: { amount: 20, period: 'week' }, models: ['qwen-turbo', 'qwen-plus'] },
  created_at: 1_790_000_000,
  expires_at: Date.UTC(2027, 0, 31, 18) / 1000,
  revoked_at: null,
  last_used_at: null,
};

describe('keyChange for a new key', () => {
  it('sends the limits filled in and leaves the empty ones out', () => {
    const form = { ...EMPTY_KEY_FORM, name: ' ci ', rpm: '60', concurrency: '4', budget: '2.5', period: 'day' as const, models: 'qwen-turbo, , qwen-plus', expires: '2027-01-31' };
    expect(keyChange(form)).toEqual({
      name: 'ci',
      limits: { rpm: 60, tpm: undefined, concurrency: 4, budget: { amount: 2.5, period: 'day' }, models: ['qwen-turbo', 'qwen-plus'] },
      expires_at: '2027-01-31',
    });
    expect(JSON.parse(JSON.stringify(keyChange({ ...EMPTY_KEY_FORM, name: 'free' })))).toEqual({ name: 'free', limits: {} });
  });

  it('names the field that is wrong', () => {
    expect(() => keyChange(EMPTY_KEY_FORM)).toThrow(new InvalidKeyForm('A key needs a name.'));
    expect(() => keyChange({ ...EMPTY_KEY_FORM, name: 'x', tpm: '1.5' })).toThrow(/Tokens per minute must be a whole number/);
    expect(() => keyChange({ ...EMPTY_KEY_FORM, name: 'x', concurrency: '0' })).toThrow(/Concurrency/);
    expect(() => keyChange({ ...EMPTY_KEY_FORM, name: 'x', budget: 'lots' })).toThrow(/Budget must be an amount above 0/);
  });
});

describe('keyChange for an update', () => {
  it('removes the limits emptied, and keeps an expiry with its time of day when it was not touched', () => {
    const initial = keyForm(key);
    expect(initial).toMatchObject({ rpm: '60', tpm: '', budget: '20', period: 'week', models: 'qwen-turbo, qwen-plus', expires: '2027-01-31' });
    expect(keyChange({ ...initial, rpm: '', tpm: '5000' }, initial)).toEqual({
      limits: { rpm: null, tpm: 5000, concurrency: null, budget: { amount: 20, period: 'week' }, models: ['qwen-turbo', 'qwen-plus'] },
    });
  });

  it('sends a changed expiry, and null for one removed', () => {
    const initial = keyForm(key);
    expect(keyChange({ ...initial, expires: '2027-03-01' }, initial).expires_at).toBe('2027-03-01');
    expect(keyChange({ ...initial, expires: '' }, initial).expires_at).toBeNull();
  });
});

describe('limitsText', () => {
  it('writes each limit, or none', () => {
    expect(limitsText(key.limits)).toBe('60 rpm, 20 per week, models qwen-turbo, qwen-plus');
    expect(limitsText({ tpm: 100_000, concurrency: 4 })).toBe('100,000 tpm, 4 at once');
    expect(limitsText({})).toBe('none');
  });
});
