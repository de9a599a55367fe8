import { describe, expect, it } from 'vitest';
import { StopTextBuffer } from './stop-text-buffer.js';

function run(stops: string[], pieces: string[]): { emitted: string[]; stopped: boolean; rest: string } {
  const buffer = new StopTextBuffer(stops);
  const emitted: string[] = [];
  for (const piece of pieces) {
    const step = buffer.push(piece);
    if (step.emit) emitted.push(step.emit);
    if (step.stopped) return { emitted, stopped: true, rest: '' };
  }
  return { emitted, stopped: false, rest: buffer.flush() };
}

describe('StopTextBuffer', () => {
  it('passes text straight through when there are no stop strings', () => {
    expect(run([], ['Hel', 'lo'])).toEqual({ emitted: ['Hel', 'lo'], stopped: false, rest: '' });
  });

  it('stops at a stop string inside one piece and drops it and what follows', () => {
    expect(run(['END'], ['abcENDdef'])).toEqual({ emitted: ['abc'], stopped: true, rest: '' });
  });

  it('never emits a partial stop string split across pieces', () => {
    const result = run(['</stop>'], ['text </s', 'to', 'p> more']);
    expect(result).toEqual({ emitted: ['text '], stopped: true, rest: '' });
  });

  it('releases held text once it can no longer become a stop string', () => {
    expect(run(['STOP'], ['aST', 'x'])).toEqual({ emitted: ['a', 'STx'], stopped: false, rest: '' });
  });

  it('returns held text on flush when generation ends first', () => {
    expect(run(['STOP'], ['done ST'])).toEqual({ emitted: ['done '], stopped: false, rest: 'ST' });
  });

  it('picks the earliest of several stop strings', () => {
    expect(run(['b', 'abc'], ['xab'])).toEqual({ emitted: ['xa'], stopped: true, rest: '' });
  });

  it('ignores empty stop strings', () => {
    expect(run([''], ['abc'])).toEqual({ emitted: ['abc'], stopped: false, rest: '' });
  });
});
