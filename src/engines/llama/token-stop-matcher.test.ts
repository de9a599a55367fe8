import type { Token } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { TokenStopMatcher } from './token-stop-matcher.js';

const t = (...ids: number[]): Token[] => ids as Token[];

describe('TokenStopMatcher', () => {
  it('releases tokens that cannot begin a stop sequence at once', () => {
    const matcher = new TokenStopMatcher([[7, 8]]);
    expect(matcher.push(t(1)[0] as Token)).toEqual({ release: t(1), stopped: false });
  });

  it('holds a possible beginning and stops on the whole sequence, releasing nothing of it', () => {
    const matcher = new TokenStopMatcher([[7, 8, 9]]);
    expect(matcher.push(7 as Token)).toEqual({ release: [], stopped: false });
    expect(matcher.push(8 as Token)).toEqual({ release: [], stopped: false });
    expect(matcher.push(9 as Token)).toEqual({ release: [], stopped: true });
  });

  it('lets held tokens go when the sequence breaks off', () => {
    const matcher = new TokenStopMatcher([[7, 8]]);
    matcher.push(7 as Token);
    expect(matcher.push(7 as Token)).toEqual({ release: t(7), stopped: false });
    expect(matcher.push(5 as Token)).toEqual({ release: t(7, 5), stopped: false });
  });

  it('stops on a single-token stop and keeps what came before', () => {
    const matcher = new TokenStopMatcher([[3], [7, 8]]);
    matcher.push(7 as Token);
    expect(matcher.push(3 as Token)).toEqual({ release: t(7), stopped: true });
  });

  it('hands back held tokens at the end', () => {
    const matcher = new TokenStopMatcher([[7, 8]]);
    matcher.push(7 as Token);
    expect(matcher.flush()).toEqual(t(7));
  });
});
