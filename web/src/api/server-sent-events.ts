// Reads an SSE response body as the `data` of each event, in order, however the bytes were split.
import { createParser } from 'eventsource-parser';

/** Leaving the loop early cancels the body, which ends the request (and so the generation on the server). */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const pending: string[] = [];
  const parser = createParser({ onEvent: (event) => void pending.push(event.data) });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      // `stream: true` holds a character's first bytes until the rest arrive.
      parser.feed(decoder.decode(value, { stream: true }));
      yield* pending.splice(0);
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
