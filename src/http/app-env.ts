// The per-request values middleware sets for handlers.
import type { Principal } from '../core/principal.js';
import type { IncomingBody } from './drain-request.js';
import type { GenerationSignals } from './generation-signals.js';
import type { KeyGate } from './key-limits.js';
import type { Wire } from './wire.js';

export interface AppEnv {
  /** Node's request, absent where the app runs without a Node server (`app.request()`). */
  Bindings: { readonly incoming?: IncomingBody };
  Variables: {
    requestId: string;
    /** The wire format of the route, so errors are answered in the client's own shape. */
    wire: Wire;
    /** How long a stream waits for its client to take a frame before the connection is cut. */
    writeTimeoutMs: number;
    /** Where each generation gets its abort signal, so the app's stop reaches every one still running. */
    generationSignals: GenerationSignals;
    /** Who the request acts for; set by authentication on the API and admin routes. */
    principal: Principal;
    /** Set only for a stored key with limits: the generation routes pass each generation through it. */
    keyGate?: KeyGate;
    /** Set on a Node server by the wire routes' body guard: the request body as text. */
    readBody?: () => Promise<string>;
  };
}
