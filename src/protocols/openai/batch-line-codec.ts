// A Batch API line on the OpenAI-compatible wire: its body decoded as a live request's is, its result as an output or error file line.
import type { ChatRequest } from '../../core/chat-request.js';
import type { CollectedGeneration } from '../../core/collect-generation.js';
import { InvalidRequestError, type RenderableError } from '../../core/errors.js';
import { completionIdentity } from './completion-identity.js';
import { decodeChatRequest } from './decode-chat-request.js';
import { encodeChatCompletion } from './encode-chat-completion.js';
import { renderOpenAIError } from './render-error.js';

/** A line's body, checked by the same rules as a live chat completion; a line asking to stream is answered whole. */
export function decodeBatchBody(body: string): ChatRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidRequestError('Required body invalid, please check the request body format.');
  }
  return decodeChatRequest(parsed).request;
}

/** An output file line: the chat completion the live endpoint would have answered. */
export function encodeBatchSuccess(requestId: string, customId: string, model: string, generation: CollectedGeneration): string {
  const body = encodeChatCompletion(completionIdentity(requestId, model), generation);
  return JSON.stringify({ id: requestId, custom_id: customId, response: { status_code: 200, request_id: requestId, body }, error: null });
}

/** An error file line: the status and body the live endpoint would have answered, and the error's code and message. */
export function encodeBatchFailure(requestId: string, customId: string, error: RenderableError): string {
  const { status, body } = renderOpenAIError(error, requestId);
  return JSON.stringify({
    id: requestId,
    custom_id: customId,
    response: { status_code: status, request_id: requestId, body },
    error: { code: body.error.code, message: body.error.message },
  });
}
