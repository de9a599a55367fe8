import { describe, expect, it } from 'vitest';
import { axisMax, daysBetween, usageBars } from './usage-bars.js';
import type { UsageReport, UsageRow } from './usage-report.js';

function row(group: string, prompt: number, completion: number, cost: number, currency: string | null): UsageRow {
  return { group, requests: 1, prompt_tokens: prompt, cached_tokens: 0, completion_tokens: completion, reasoning_tokens: 0, total_tokens: prompt + completion, unreported_requests: 0, cost, currency };
}

function report(groupBy: UsageReport['group_by'], data: UsageRow[], cost: Record<string, number>): UsageReport {
  const zero = { requests: 0, prompt_tokens: 0, cached_tokens: 0, completion_tokens: 0, reasoning_tokens: 0, total_tokens: 0, unreported_requests: 0 };
  return { from: '2026-11-29', to: '2026-12-02', group_by: groupBy, data, total: { ...zero, cost } };
}

describe('daysBetween', () => {
  it('lists every UTC day of the range, across a month end, both ends included', () => {
    expect(daysBetween('2026-11-29', '2026-12-02')).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(daysBetween('2026-12-05', '2026-12-05')).toEqual(['2026-12-05']);
  });
});

describe('usageBars', () => {
  it('gives every day of the range a bar, days without requests at zero', () => {
    const { bars, currency } = usageBars(report('day', [row('2026-11-30', 10, 5, 0.5, 'USD')], { USD: 0.5 }));
    expect(currency).toBe('USD');
    expect(bars.map((bar) => bar.label)).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(bars[1]).toEqual({ label: '2026-11-30', promptTokens: 10, completionTokens: 5, cost: 0.5 });
    expect(bars[0]).toEqual({ label: '2026-11-29', promptTokens: 0, completionTokens: 0, cost: 0 });
  });

  it("joins a group's rows in several currencies into one bar, its cost in the currency spent most", () => {
    const { bars, currency } = usageBars(
      report('model', [row('qwen-plus', 10, 5, 2, 'USD'), row('qwen-plus', 1, 1, 1, 'CNY'), row('tiny', 3, 4, 0, null)], { USD: 2, CNY: 1 }),
    );
    expect(currency).toBe('USD');
    expect(bars).toEqual([
      { label: 'qwen-plus', promptTokens: 11, completionTokens: 6, cost: 2 },
      { label: 'tiny', promptTokens: 3, completionTokens: 4, cost: 0 },
    ]);
  });

  it('has no currency when nothing was priced', () => {
    expect(usageBars(report('key', [row('ci', 3, 4, 0, null)], {})).currency).toBeUndefined();
  });
});

describe('axisMax', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect(axisMax(0)).toBe(1);
    expect(axisMax(1)).toBe(1);
    expect(axisMax(13)).toBe(20);
    expect(axisMax(20)).toBe(20);
    expect(axisMax(480)).toBe(500);
    expect(axisMax(501)).toBe(1000);
    expect(axisMax(0.0031)).toBeCloseTo(0.005);
  });
});
