import { describe, expect, it } from 'vitest';
import { LiveFirstGate } from './live-first-gate.js';

const settled = async (promise: Promise<void>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('LiveFirstGate', () => {
  it('lets batch steps through while no live request is held', async () => {
    const gate = new LiveFirstGate();
    expect(await settled(gate.pass(new AbortController().signal))).toBe(true);
  });

  it('holds batch steps until the last live request is released, once each however often it is disposed', async () => {
    const gate = new LiveFirstGate();
    const first = gate.hold();
    const second = gate.hold();
    const waiting = gate.pass(new AbortController().signal);
    first[Symbol.dispose]();
    first[Symbol.dispose]();
    expect(gate.live).toBe(1);
    expect(await settled(waiting)).toBe(false);
    second[Symbol.dispose]();
    expect(await settled(waiting)).toBe(true);
    expect(gate.live).toBe(0);
  });

  it('lets a held batch step go when its generation is stopped', async () => {
    const gate = new LiveFirstGate();
    gate.hold();
    const stop = new AbortController();
    const waiting = gate.pass(stop.signal);
    expect(await settled(waiting)).toBe(false);
    stop.abort();
    expect(await settled(waiting)).toBe(true);
    expect(gate.live).toBe(1);
  });
});
