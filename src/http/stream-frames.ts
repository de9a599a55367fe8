// Turns a generation into SSE frames with a wire's encoder, ending a failed stream with its error frame.
import { isRenderable, toStudioError } from '../core/errors.js';
import type { GenerationEvent } from '../core/generation-event.js';
import type { StreamEncoder } from '../core/stream-encoder.js';

/**
 * The frames of the `usage` event, the generation's last, are held until the events end: by then
 * the observers have taken the outcome (the ledger's row is committed), so the stream's last frame
 * leaves after it. A consumer that stops early with `return()` stops the generation as a client
 * that went away; one that stops with `throw(reason)` (a write timeout) hands the reason on, and the
 * generation ends with it. Neither gets an error frame: nobody reads it.
 */
export async function* streamFrames(
  events: AsyncIterable<GenerationEvent>,
  encoder: StreamEncoder,
  onError: (error: unknown) => void,
): AsyncGenerator<string> {
  const source = events[Symbol.asyncIterator]();
  let last: readonly string[] = [];
  try {
    for (let done = false; !done; ) {
      let frames: readonly string[];
      try {
        const next = await source.next();
        done = next.done === true;
        if (next.done !== true && next.value.type === 'usage') {
          last = encoder.event(next.value);
          continue;
        }
        frames = next.done === true ? [...last, ...encoder.end()] : encoder.event(next.value);
      } catch (thrown) {
        const error = toStudioError(thrown);
        // A client that went away reads nothing more.
        if (!isRenderable(error)) return;
        onError(thrown);
        yield encoder.error(error);
        return;
      }
      for (const frame of frames) {
        try {
          yield frame;
        } catch (reason) {
          await source.throw?.(reason).catch(() => undefined);
          return;
        }
      }
    }
  } finally {
    await source.return?.();
  }
}
