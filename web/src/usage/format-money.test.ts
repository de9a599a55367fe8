import { describe, expect, it } from 'vitest';
import { formatMoney } from './format-money.js';

describe('formatMoney', () => {
  it('keeps every millionth and at least cents', () => {
    expect(formatMoney(0.000123, 'USD')).toBe('0.000123 USD');
    expect(formatMoney(20, 'USD')).toBe('20.00 USD');
    expect(formatMoney(1234.5, null)).toBe('1,234.50');
  });
});
