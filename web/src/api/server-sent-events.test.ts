import { describe, expect, it } from 'vitest';
import { serverSentEvents } from './server-sent-events.js';

function bodyOf(chunks: readonly Uint8Array[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
    cancel: onCancel,
  });
}

async function collect(events: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('serverSentEvents', () => {
  const text = 'data: {"a":"héllo"}\n\n: keep-alive\n\ndata: [DONE]\n\n';
  const bytes = new TextEncoder().encode(text);

  it('yields the data of each event and skips comments', async () => {
    expect(await collect(serverSentEvents(bodyOf([bytes])))).toEqual(['{"a":"héllo"}', '[DONE]']);
  });

  it('gives the same events for every split of the bytes, through a character of two bytes too', async () => {
    for (let at = 1; at < bytes.length; at++) {
      expect(await collect(serverSentEvents(bodyOf([bytes.slice(0, at), bytes.slice(at)])))).toEqual(['{"a":"héllo"}', '[DONE]']);
    }
  });

  it('reads events split one byte at a time, with CRLF line ends', async () => {
    const crlf = new TextEncoder().encode('data: one\r\n\r\ndata: two\r\n\r\n');
    expect(await collect(serverSentEvents(bodyOf([...crlf].map((byte) => Uint8Array.of(byte)))))).toEqual(['one', 'two']);
  });

  it('cancels the body when the reader stops early', async () => {
    let cancelled = false;
    const endless = new TextEncoder().encode('data: x\n\n');
    for await (const event of serverSentEvents(bodyOf([endless, endless, endless], () => (cancelled = true)))) {
      expect(event).toBe('x');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
