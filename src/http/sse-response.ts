// Writes SSE frames as they come, awaiting each write so a slow client slows its own generation only.
import type { Context } from 'hono';
import { stream } from 'hono/streaming';

export function sseResponse(c: Context, frames: AsyncIterable<string>, contentType: string): Response {
  c.header('Content-Type', contentType);
  c.header('Cache-Control', 'no-cache');
  c.header('X-Accel-Buffering', 'no');
  return stream(c, async (writer) => {
    for await (const frame of frames) {
      if (writer.aborted) return;
      await writer.write(frame);
    }
  });
}
