// What a wire format provides to put a generation on the wire as Server-Sent Events.
import type { RenderableError } from './errors.js';
import type { GenerationEvent } from './generation-event.js';

export interface StreamEncoder {
  /** The SSE frames (zero or more) one event becomes. */
  event(event: GenerationEvent): string[];
  /** Frames after the last event, such as `data: [DONE]`. */
  end(): string[];
  /** The frame that reports an error once the stream has begun; nothing follows it. */
  error(error: RenderableError): string;
}
