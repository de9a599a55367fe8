// Writes SSE frames as they come, awaiting each write (backpressure), and ends a failed stream in-band.
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { isRenderable, toStudioError } from '../core/errors.js';
import type { Wire } from './wire.js';

export interface SseResponseOptions {
  readonly wire: Wire;
  readonly requestId: string;
  readonly contentType: string;
  /** Called with errors that are not the client's own going away. */
  readonly onStreamError: (error: unknown) => void;
}

export function sseResponse(c: Context, frames: AsyncIterable<string>, options: SseResponseOptions): Response {
  c.header('Content-Type', options.contentType);
  c.header('Cache-Control', 'no-cache');
  c.header('X-Accel-Buffering', 'no');
  return stream(
    c,
    async (writer) => {
      for await (const frame of frames) {
        if (writer.aborted) return;
        await writer.write(frame);
      }
    },
    async (error, writer) => {
      const studioError = toStudioError(error);
      if (!isRenderable(studioError)) return;
      options.onStreamError(error);
      await writer.write(options.wire.renderStreamError(studioError, options.requestId));
    },
  );
}
