// The OpenAI-compatible routes: chat completions (blocking and streamed) and the model list.
import { Hono } from 'hono';
import type { Engine } from '../core/engine.js';
import type { GenerationEvent } from '../core/generation-event.js';
import { completionIdentity, type CompletionIdentity } from '../protocols/openai/completion-identity.js';
import { decodeChatRequest } from '../protocols/openai/decode-chat-request.js';
import { encodeChatChunks, STREAM_DONE, type ChunkOptions } from '../protocols/openai/encode-chat-chunks.js';
import { encodeChatCompletion } from '../protocols/openai/encode-chat-completion.js';
import { encodeModelList } from '../protocols/openai/encode-models.js';
import type { AppEnv } from './app-env.js';
import { startGeneration, type GenerationOutcome } from './generation.js';
import { openaiDataFrame, openaiWire } from './openai-wire.js';
import { readJsonBody } from './read-json-body.js';
import { sseResponse } from './sse-response.js';

export interface OpenAIRoutesOptions {
  readonly engine: Engine;
  readonly onGenerationEnd: (requestId: string, outcome: GenerationOutcome) => void;
  readonly onStreamError: (requestId: string, error: unknown) => void;
}

async function* chunkFrames(identity: CompletionIdentity, options: ChunkOptions, events: AsyncIterable<GenerationEvent>): AsyncGenerator<string> {
  for await (const event of events) {
    for (const chunk of encodeChatChunks(identity, options, event)) yield openaiDataFrame(chunk);
  }
  yield openaiDataFrame(STREAM_DONE);
}

export function openaiRoutes({ engine, onGenerationEnd, onStreamError }: OpenAIRoutesOptions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post('/chat/completions', async (c) => {
    const requestId = c.get('requestId');
    const call = decodeChatRequest(await readJsonBody(c));
    const events = await startGeneration(engine, call.request, c.req.raw.signal, (outcome) => onGenerationEnd(requestId, outcome));
    const identity = completionIdentity(requestId, call.request.model);
    if (!call.stream) return c.json(await encodeChatCompletion(identity, events));
    return sseResponse(c, chunkFrames(identity, { includeUsage: call.includeUsage }, events), {
      wire: openaiWire,
      requestId,
      contentType: 'text/event-stream; charset=utf-8',
      onStreamError: (error) => onStreamError(requestId, error),
    });
  });

  routes.get('/models', (c) => c.json(encodeModelList(engine.listModels())));

  return routes;
}
