// The per-request values middleware sets for handlers.
import type { Wire } from './wire.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    /** The wire format of the route, so errors are answered in the client's own shape. */
    wire: Wire;
    /** How long a stream waits for its client to take a frame before the connection is cut. */
    writeTimeoutMs: number;
  };
}
