// What the HTTP layer needs from a wire format to answer errors in that wire's own shape.
import type { RenderableError } from '../core/errors.js';

export interface RenderedError {
  readonly status: number;
  readonly body: object;
}

export interface Wire {
  /** The body and status for an error answered before any response byte was sent. */
  renderError(error: RenderableError, requestId: string): RenderedError;
}
