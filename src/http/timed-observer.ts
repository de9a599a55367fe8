// Times an observer's onEnd (the ledger's commit, which each reply's final byte waits for) for metrics.
import type { GenerationObserver } from './generation.js';

export function timedObserver(observer: GenerationObserver, record: (seconds: number) => void): GenerationObserver {
  return {
    ...observer,
    onEnd: async (requestId, outcome) => {
      const began = performance.now();
      await observer.onEnd(requestId, outcome);
      record((performance.now() - began) / 1000);
    },
  };
}
