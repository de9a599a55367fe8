// The OpenAI-compatible wire as the HTTP layer sees it: its error bodies and SSE framing.
import { formatSseFrame } from '../lib/sse-frame.js';
import { renderOpenAIError } from '../protocols/openai/render-error.js';
import type { Wire } from './wire.js';

/** openai SDKs parse `data: <json>` lines only; an `event:` line would turn chunks into raw events. */
export function openaiDataFrame(payload: object | string): string {
  return formatSseFrame({ data: typeof payload === 'string' ? payload : JSON.stringify(payload) }, ': ');
}

export const openaiWire: Wire = {
  name: 'openai',
  renderError: renderOpenAIError,
  renderStreamError: (error, requestId) => openaiDataFrame(renderOpenAIError(error, requestId).body),
};
