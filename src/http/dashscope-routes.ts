// The native DashScope routes: text and multimodal generation, blocking or as SSE.
import { Hono, type Context } from 'hono';
import { collectGeneration } from '../core/collect-generation.js';
import type { Engine } from '../core/engine.js';
import { PermissionDeniedError } from '../core/errors.js';
import { decodeGenerationRequest, decodeMultimodalRequest } from '../protocols/dashscope/decode-generation-request.js';
import { encodeGeneration } from '../protocols/dashscope/encode-generation.js';
import { MULTIMODAL_GENERATION_PATH } from '../protocols/dashscope/generation-request-schema.js';
import { createGenerationStreamEncoder } from '../protocols/dashscope/generation-stream-encoder.js';
import type { AppEnv } from './app-env.js';
import { startGeneration, type GenerationObserver } from './generation.js';
import { readJsonBody } from './read-json-body.js';
import { sseResponse } from './sse-response.js';
import { streamFrames } from './stream-frames.js';

export const TEXT_GENERATION_PATH = '/services/aigc/text-generation/generation';

/** Both native endpoints answer alike; they differ in the messages their decoder accepts and the `content` it asks replies to carry. */
type DecodeCall = typeof decodeGenerationRequest;

export function dashscopeRoutes(engine: Engine, observer: GenerationObserver): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  const generation = (decode: DecodeCall) => async (c: Context<AppEnv>) => {
    const requestId = c.get('requestId');
    // Neither endpoint has an asynchronous (task) mode; Model Studio's text generation has none either.
    if (c.req.header('X-DashScope-Async')?.toLowerCase() === 'enable') {
      throw new PermissionDeniedError('current user api does not support asynchronous calls.');
    }
    const call = decode(await readJsonBody(c), {
      sseHeader: c.req.header('X-DashScope-SSE')?.toLowerCase() === 'enable',
      acceptsEventStream: c.req.header('Accept')?.includes('text/event-stream') === true,
    });
    const events = await startGeneration(c, engine, observer, { request: call.request, wire: 'dashscope', stream: call.stream });
    if (!call.stream) return c.json(encodeGeneration(call.resultFormat, await collectGeneration(events), requestId));
    const encoder = createGenerationStreamEncoder({
      resultFormat: call.resultFormat,
      incrementalOutput: call.incrementalOutput,
      choices: call.request.n ?? 1,
      requestId,
    });
    const frames = streamFrames(events, encoder, (error) => observer.onStreamError?.(requestId, error));
    return sseResponse(c, frames, 'text/event-stream;charset=UTF-8');
  };

  routes.post(TEXT_GENERATION_PATH, generation(decodeGenerationRequest));
  routes.post(MULTIMODAL_GENERATION_PATH, generation(decodeMultimodalRequest));

  return routes;
}
