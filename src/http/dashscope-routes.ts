// The native DashScope route: text generation, blocking or as SSE.
import { Hono } from 'hono';
import { collectGeneration } from '../core/collect-generation.js';
import type { Engine } from '../core/engine.js';
import { PermissionDeniedError } from '../core/errors.js';
import { decodeGenerationRequest } from '../protocols/dashscope/decode-generation-request.js';
import { encodeGeneration } from '../protocols/dashscope/encode-generation.js';
import { createGenerationStreamEncoder } from '../protocols/dashscope/generation-stream-encoder.js';
import type { AppEnv } from './app-env.js';
import { startGeneration, type GenerationObserver } from './generation.js';
import { readJsonBody } from './read-json-body.js';
import { sseResponse } from './sse-response.js';
import { streamFrames } from './stream-frames.js';

export const TEXT_GENERATION_PATH = '/services/aigc/text-generation/generation';

export function dashscopeRoutes(engine: Engine, observer: GenerationObserver): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post(TEXT_GENERATION_PATH, async (c) => {
    const requestId = c.get('requestId');
    // Text generation has no asynchronous (task) mode, on Model Studio either.
    if (c.req.header('X-DashScope-Async')?.toLowerCase() === 'enable') {
      throw new PermissionDeniedError('current user api does not support asynchronous calls.');
    }
    const call = decodeGenerationRequest(await readJsonBody(c), {
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
  });

  return routes;
}
