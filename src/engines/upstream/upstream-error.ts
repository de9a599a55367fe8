// The error a client gets for an upstream's HTTP error status: its own message for a bad request, a short reason otherwise.
import { InvalidRequestError, type StudioError, UpstreamError } from '../../core/errors.js';

const MAX_MESSAGE_LENGTH = 500;

/** Which upstream answered, for messages that must say where the fault is without quoting secrets. */
export interface UpstreamContext {
  /** The catalog model the client asked for. */
  readonly name: string;
  /** The model name sent upstream. */
  readonly model: string;
  /** The upstream's `host:port`. */
  readonly host: string;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_LENGTH ? `${flat.slice(0, MAX_MESSAGE_LENGTH)}…` : flat;
}

/**
 * The upstream's own message, read leniently: OpenAI's `{error:{message}}`, `{error:"…"}`, `{message}`,
 * `{detail}` (FastAPI), or plain text; an HTML page or an empty body gives none.
 */
export function upstreamMessage(body: string): { readonly message: string; readonly param?: string } | undefined {
  const text = body.trim();
  if (text === '' || text.startsWith('<')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { message: clip(text) };
  }
  if (typeof json !== 'object' || json === null) return typeof json === 'string' ? { message: clip(json) } : undefined;
  const record = json as Record<string, unknown>;
  const error = record.error;
  const inner = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : record;
  const message = [inner.message, typeof error === 'string' ? error : undefined, record.message, record.detail].find((value) => typeof value === 'string' && value !== '');
  if (typeof message !== 'string') return undefined;
  return { message: clip(message), ...(typeof inner.param === 'string' ? { param: inner.param } : {}) };
}

/** The error for an upstream reply of `status` (not 2xx) that is not retried on another endpoint. */
export function upstreamStatusError(status: number, body: string, upstream: UpstreamContext): StudioError {
  const parsed = upstreamMessage(body);
  if (status === 400 || status === 422) {
    return new InvalidRequestError(parsed?.message ?? `The upstream for model "${upstream.name}" refused the request as invalid.`, parsed?.param);
  }
  if (status === 401 || status === 403) return new UpstreamError(`The upstream for model "${upstream.name}" (${upstream.host}) refused Studio's API key.`);
  if (status === 404) return new UpstreamError(`The upstream for model "${upstream.name}" (${upstream.host}) does not serve model "${upstream.model}".`);
  // A server's own failure may describe its internals: only a client error's message is passed on.
  const reason = parsed === undefined || status >= 500 ? '' : `: ${parsed.message}`;
  return new UpstreamError(`The upstream for model "${upstream.name}" (${upstream.host}) answered HTTP ${status}${reason}${reason.endsWith('.') ? '' : '.'}`);
}
