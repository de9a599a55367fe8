// Turns a generation into SSE frames with a wire's encoder, ending a failed stream with its error frame.
import { isRenderable, toStudioError } from '../core/errors.js';
import type { GenerationEvent } from '../core/generation-event.js';
import type { StreamEncoder } from '../core/stream-encoder.js';

export async function* streamFrames(
  events: AsyncIterable<GenerationEvent>,
  encoder: StreamEncoder,
  onError: (error: unknown) => void,
): AsyncGenerator<string> {
  try {
    for await (const event of events) yield* encoder.event(event);
    yield* encoder.end();
  } catch (thrown) {
    const error = toStudioError(thrown);
    // A client that went away reads nothing more.
    if (!isRenderable(error)) return;
    onError(thrown);
    yield encoder.error(error);
  }
}
