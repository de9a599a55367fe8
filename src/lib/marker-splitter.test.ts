import { describe, expect, it } from 'vitest';
import { MarkerSplitter, type MarkedPart } from './marker-splitter.js';

function split(markers: string[], pieces: string[]): { parts: MarkedPart[]; rest: string } {
  const splitter = new MarkerSplitter(markers);
  return { parts: pieces.flatMap((piece) => splitter.push(piece)), rest: splitter.flush() };
}

describe('MarkerSplitter', () => {
  it('passes text straight through when there are no markers', () => {
    expect(split([], ['Hel', 'lo'])).toEqual({ parts: [{ text: 'Hel' }, { text: 'lo' }], rest: '' });
  });

  it('reports markers between the text around them', () => {
    expect(split(['<a>', '</a>'], ['x<a>y</a>z'])).toEqual({ parts: [{ text: 'x' }, { marker: '<a>' }, { text: 'y' }, { marker: '</a>' }, { text: 'z' }], rest: '' });
  });

  it('never emits part of a marker split across pieces', () => {
    expect(split(['</stop>'], ['text </s', 'to', 'p> more'])).toEqual({ parts: [{ text: 'text ' }, { marker: '</stop>' }, { text: ' more' }], rest: '' });
  });

  it('releases held text once it can no longer become a marker', () => {
    expect(split(['STOP'], ['aST', 'x'])).toEqual({ parts: [{ text: 'a' }, { text: 'STx' }], rest: '' });
  });

  it('returns held text on flush when the stream ends first', () => {
    expect(split(['STOP'], ['done ST'])).toEqual({ parts: [{ text: 'done ' }], rest: 'ST' });
  });

  it('picks the earliest of several markers', () => {
    expect(split(['b', 'abc'], ['xab'])).toEqual({ parts: [{ text: 'xa' }, { marker: 'b' }], rest: '' });
  });

  it('ignores empty markers', () => {
    expect(split([''], ['abc'])).toEqual({ parts: [{ text: 'abc' }], rest: '' });
  });
});
