import { describe, expect, it } from 'vitest';
import { replyMetrics } from './reply-metrics.js';

describe('replyMetrics', () => {
  it('measures the first token from the send, and the speed over the tokens after it', () => {
    expect(replyMetrics({ sentAt: 1000, firstOutputAt: 1250, lastOutputAt: 2250 }, 51)).toEqual({ timeToFirstTokenMs: 250, tokensPerSecond: 50 });
  });

  it('gives no speed for a single token, an unknown count or no time between tokens', () => {
    expect(replyMetrics({ sentAt: 0, firstOutputAt: 10, lastOutputAt: 10 }, 1)).toEqual({ timeToFirstTokenMs: 10 });
    expect(replyMetrics({ sentAt: 0, firstOutputAt: 10, lastOutputAt: 90 }, undefined)).toEqual({ timeToFirstTokenMs: 10 });
    expect(replyMetrics({ sentAt: 0, firstOutputAt: 10, lastOutputAt: 10 }, 5)).toEqual({ timeToFirstTokenMs: 10 });
  });

  it('gives nothing before the first token', () => {
    expect(replyMetrics({ sentAt: 0 }, undefined)).toEqual({});
  });
});
