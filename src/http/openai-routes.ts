// The OpenAI-compatible routes: chat completions (blocking and streamed), the model list and one model.
import { Hono } from 'hono';
import { collectGeneration } from '../core/collect-generation.js';
import type { Engine } from '../core/engine.js';
import { ModelNotFoundError } from '../core/errors.js';
import { createChatStreamEncoder } from '../protocols/openai/chat-stream-encoder.js';
import { completionIdentity } from '../protocols/openai/completion-identity.js';
import { decodeChatRequest } from '../protocols/openai/decode-chat-request.js';
import { encodeChatCompletion } from '../protocols/openai/encode-chat-completion.js';
import { encodeModel, encodeModelList } from '../protocols/openai/encode-models.js';
import type { AppEnv } from './app-env.js';
import type { GenerationObserver } from './generation.js';
import { startGeneration } from './generation.js';
import { readJsonBody } from './read-json-body.js';
import { sseResponse } from './sse-response.js';
import { streamFrames } from './stream-frames.js';

export function openaiRoutes(engine: Engine, observer: GenerationObserver): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post('/chat/completions', async (c) => {
    const requestId = c.get('requestId');
    const call = decodeChatRequest(await readJsonBody(c));
    const events = await startGeneration(c, engine, observer, { request: call.request, wire: 'openai', stream: call.stream });
    const identity = completionIdentity(requestId, call.request.model);
    if (!call.stream) return c.json(encodeChatCompletion(identity, await collectGeneration(events)));
    const encoder = createChatStreamEncoder(identity, { includeUsage: call.includeUsage }, requestId);
    const frames = streamFrames(events, encoder, (error) => observer.onStreamError?.(requestId, error));
    return sseResponse(c, frames, 'text/event-stream; charset=utf-8');
  });

  routes.get('/models', (c) => c.json(encodeModelList(engine.listModels())));

  routes.get('/models/:id', (c) => {
    const id = c.req.param('id');
    const model = engine.listModels().find((candidate) => candidate.id === id || candidate.aliases?.includes(id));
    if (model === undefined) throw new ModelNotFoundError(id, engine.listModels());
    return c.json(encodeModel(model));
  });

  return routes;
}
