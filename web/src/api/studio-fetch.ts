// fetch for Studio's API: the user's key as Bearer, and a readable RequestFailed for any answer that is not 2xx.
import { authHeaders } from './api-key.js';
import { errorMessage, UNREACHABLE } from './error-message.js';

export class RequestFailed extends Error {
  /** `undefined`: no answer came at all (the server is down or unreachable). */
  readonly status: number | undefined;

  constructor(message: string, status: number | undefined) {
    super(message);
    this.name = 'RequestFailed';
    this.status = status;
  }
}

/** Paths are relative to the page, so the Playground also works under a proxy's sub-path. */
export async function studioFetch(path: string, key: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { ...authHeaders(key), ...init.headers } });
  } catch (error) {
    if (init.signal?.aborted === true) throw error;
    throw new RequestFailed(UNREACHABLE, undefined);
  }
  if (!response.ok) throw new RequestFailed(errorMessage(response.status, await response.text().catch(() => '')), response.status);
  return response;
}
