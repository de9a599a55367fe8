// The error that ends a request still running when the shutdown timeout runs out.
import { OverloadedError } from '../core/errors.js';

export class ShutdownError extends OverloadedError {
  constructor() {
    super('Studio is shutting down and this request did not finish within its shutdown timeout; retry on another instance.');
  }
}
