// An OpenAI-compatible server of the tests' own on loopback: answers as vLLM would, or with the fault a test scripts, and records what it saw.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** What a successful answer holds; every field has a default, so `{}` is a short plain reply. */
export interface FakeReply {
  /** Content pieces, one chunk each (default `['Hello', ' world']`). */
  readonly text?: readonly string[];
  /** `reasoning_content` pieces, sent before the text. */
  readonly reasoning?: readonly string[];
  readonly toolCalls?: readonly FakeToolCall[];
  /** `null`: no usage at all, even when the client asked for it. Default: 7 prompt tokens, one completion token a piece. */
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number } | null;
  /** Default `stop` (`tool_calls` where there are tool calls). */
  readonly finishReason?: string;
}

export type FakeBehaviour =
  | ({ readonly kind: 'reply' } & FakeReply)
  /** Sends `after` (at least 1) SSE data frames, the role frame counting, then destroys the socket; a blocking answer is cut halfway. */
  | ({ readonly kind: 'cut'; readonly after: number } & FakeReply)
  /** Waits `delayMs` before each frame (a blocking answer waits `delayMs` once, then answers). */
  | ({ readonly kind: 'slow'; readonly delayMs: number } & FakeReply)
  /** `body` is sent raw as text/html; otherwise an OpenAI-style `{error:{message,type,param,code}}`. */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: number; readonly message?: string; readonly body?: string }
  /**
   * A 200 stream that sends `after` data frames of the default reply (0: none), then an OpenAI-style
   * `{error:{message,type,code}}` (code 400 by default) and `[DONE]`, as vLLM refuses a request once its
   * stream has begun; a blocking answer is that error as an HTTP status.
   */
  | { readonly kind: 'stream-error'; readonly after: number; readonly message: string; readonly code?: number }
  /** Destroys the socket without answering. */
  | { readonly kind: 'drop' }
  /** Never answers until the client goes away; `headers: true` sends 200 and SSE headers first, then nothing. */
  | { readonly kind: 'stall'; readonly headers?: boolean };

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** `performance.now()` when it arrived. */
  readonly receivedAt: number;
  /** The parsed JSON body of a POST (undefined for GET or a body that is not JSON). */
  body: Record<string, unknown> | undefined;
  /** The client went away before the answer was complete (never set by `drop` or `cut`, which close it themselves). */
  disconnected: boolean;
}

export interface FakeUpstreamOptions {
  /** Requests without `Authorization: Bearer <apiKey>` get 401. */
  readonly apiKey?: string;
  /** Keep no record of requests (for a bench: nothing grows per request). */
  readonly record?: boolean;
}

export interface FakeUpstream {
  /** The base URL as an endpoint's `url`, ending in `/v1`. */
  readonly url: string;
  /** The Prometheus URL (`/metrics` at the root, as vLLM serves it). */
  readonly metricsUrl: string;
  readonly requests: FakeRequest[];
  /** The chat completion requests among `requests`. */
  completions(): FakeRequest[];
  /** The next chat completions behave as these, in order, before `behave` or the default reply applies. */
  script(...behaviours: FakeBehaviour[]): void;
  /** How each chat completion behaves once the script is used up (undefined: the default reply). */
  behave(choose: ((request: FakeRequest) => FakeBehaviour) | undefined): void;
  /** The status `GET /v1/models` answers (200 by default): the health check. */
  setModelsStatus(status: number): void;
  /** `vllm:num_requests_waiting` in `/metrics`. */
  setQueueDepth(waiting: number): void;
  /** Forgets recorded requests, the script and `behave`; health and queue depth back to their defaults. */
  reset(): void;
  close(): Promise<void>;
}

const CREATED = 1_750_000_000;

function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null, withUsage: boolean): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(withUsage ? { usage: null } : {}),
  };
}

function usageOf(reply: FakeReply): Record<string, number> | null {
  if (reply.usage === null) return null;
  const { prompt_tokens, completion_tokens } = reply.usage ?? { prompt_tokens: 7, completion_tokens: (reply.text ?? ['Hello', ' world']).length + (reply.reasoning ?? []).length };
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function finishOf(reply: FakeReply): string {
  return reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop');
}

/** The SSE data frames of a streamed answer, `[DONE]` included, as OpenAI sends them. */
function streamFrames(model: string, reply: FakeReply, includeUsage: boolean): string[] {
  const frame = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
  const frames = [frame(chunk(model, { role: 'assistant', content: '' }, null, includeUsage))];
  for (const piece of reply.reasoning ?? []) frames.push(frame(chunk(model, { reasoning_content: piece }, null, includeUsage)));
  for (const piece of reply.text ?? ['Hello', ' world']) frames.push(frame(chunk(model, { content: piece }, null, includeUsage)));
  (reply.toolCalls ?? []).forEach((call, index) => {
    frames.push(frame(chunk(model, { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, null, includeUsage)));
    frames.push(frame(chunk(model, { tool_calls: [{ index, function: { arguments: call.arguments } }] }, null, includeUsage)));
  });
  frames.push(frame(chunk(model, {}, finishOf(reply), includeUsage)));
  const usage = usageOf(reply);
  if (includeUsage && usage !== null) frames.push(frame({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage }));
  frames.push('data: [DONE]\n\n');
  return frames;
}

function blockingBody(model: string, reply: FakeReply): string {
  const toolCalls = reply.toolCalls?.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  const message = {
    role: 'assistant',
    content: (reply.text ?? ['Hello', ' world']).join(''),
    ...(reply.reasoning === undefined ? {} : { reasoning_content: reply.reasoning.join('') }),
    ...(toolCalls === undefined ? {} : { tool_calls: toolCalls }),
  };
  const usage = usageOf(reply);
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishOf(reply) }],
    ...(usage === null ? {} : { usage }),
  });
}

const DEFAULT_REPLY: FakeBehaviour = { kind: 'reply' };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const type = status === 401 ? 'authentication_error' : status < 500 ? 'invalid_request_error' : 'server_error';
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { message, type, param: null, code: status } }));
}

async function answer(res: ServerResponse, behaviour: FakeBehaviour, body: Record<string, unknown>, cache: Map<string, string[]>): Promise<void> {
  if (behaviour.kind === 'drop') return void res.socket?.destroy();
  if (behaviour.kind === 'stall') {
    if (behaviour.headers === true) res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
    return;
  }
  if (behaviour.kind === 'status') {
    const headers: Record<string, string> = behaviour.retryAfter === undefined ? {} : { 'retry-after': String(behaviour.retryAfter) };
    if (behaviour.body !== undefined) return void res.writeHead(behaviour.status, { 'content-type': 'text/html', ...headers }).end(behaviour.body);
    return sendError(res, behaviour.status, behaviour.message ?? `fake upstream answered ${behaviour.status}`, headers);
  }
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const stream = body.stream === true;
  const includeUsage = stream && (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  if (behaviour.kind === 'stream-error') {
    const code = behaviour.code ?? 400;
    if (!stream) return sendError(res, code, behaviour.message);
    const error = { error: { message: behaviour.message, type: code === 400 ? 'BadRequestError' : 'InternalServerError', code } };
    const sent = [...streamFrames(model, {}, includeUsage).slice(0, behaviour.after), `data: ${JSON.stringify(error)}\n\n`, 'data: [DONE]\n\n'];
    return void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sent.join(''));
  }
  // The default reply is the same every time: its frames are made once per model and shape, so a bench pays no per-request cost.
  const cacheKey = behaviour === DEFAULT_REPLY ? `${model}\n${stream}\n${includeUsage}` : undefined;
  let frames = cacheKey === undefined ? undefined : cache.get(cacheKey);
  if (frames === undefined) {
    frames = stream ? streamFrames(model, behaviour, includeUsage) : [blockingBody(model, behaviour)];
    if (cacheKey !== undefined) cache.set(cacheKey, frames);
  }
  res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
  if (behaviour.kind === 'reply') return void res.end(frames.join(''));
  if (!stream) {
    if (behaviour.kind === 'slow') await sleep(behaviour.delayMs);
    if (res.destroyed) return;
    if (behaviour.kind === 'cut') return void res.write(frames[0]!.slice(0, frames[0]!.length / 2), () => res.socket?.destroy());
    return void res.end(frames[0]);
  }
  for (const [index, frame] of frames.entries()) {
    if (behaviour.kind === 'slow') await sleep(behaviour.delayMs);
    if (res.destroyed) return;
    // A cut waits until its frames have left, so the client reads them before the socket goes.
    if (behaviour.kind === 'cut' && index === behaviour.after - 1) return void res.write(frame, () => res.socket?.destroy());
    res.write(frame);
  }
  res.end();
}

function metricsText(waiting: number): string {
  return ['# HELP vllm:num_requests_waiting Number of requests waiting to be processed.', '# TYPE vllm:num_requests_waiting gauge', `vllm:num_requests_waiting{model_name="fake"} ${waiting}`, ''].join('\n');
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const requests: FakeRequest[] = [];
  let queue: FakeBehaviour[] = [];
  let choose: ((request: FakeRequest) => FakeBehaviour) | undefined;
  let modelsStatus = 200;
  let queueDepth = 0;
  const cache = new Map<string, string[]>();
  /** Responses the fake closes itself, whose close is no client disconnect. */
  const ownClose = new WeakSet<ServerResponse>();

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const request: FakeRequest = { method: req.method ?? 'GET', path, headers: req.headers, receivedAt: performance.now(), body: undefined, disconnected: false };
    res.on('close', () => {
      if (!res.writableFinished && !ownClose.has(res)) request.disconnected = true;
    });
    if (options.record !== false) requests.push(request);
    if (req.method === 'POST') request.body = await readJson(req);
    const body = request.body;
    if (path === '/metrics') return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText(queueDepth));
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) return sendError(res, 401, 'Incorrect API key provided.');
    if (req.method === 'GET' && path.endsWith('/models')) {
      if (modelsStatus !== 200) return sendError(res, modelsStatus, 'not ready');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'fake', object: 'model', created: CREATED, owned_by: 'fake' }] }));
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) return sendError(res, 404, `no route ${req.method} ${path}`);
    if (body === undefined) return sendError(res, 400, 'body is not JSON');
    const behaviour = queue.shift() ?? choose?.(request) ?? DEFAULT_REPLY;
    if (behaviour.kind === 'drop' || behaviour.kind === 'cut') ownClose.add(res);
    await answer(res, behaviour, body, cache);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    requests,
    completions: () => requests.filter((request) => request.path.endsWith('/chat/completions')),
    script: (...behaviours) => void queue.push(...behaviours),
    behave: (next) => void (choose = next),
    setModelsStatus: (status) => void (modelsStatus = status),
    setQueueDepth: (waiting) => void (queueDepth = waiting),
    reset: () => {
      requests.length = 0;
      queue = [];
      choose = undefined;
      modelsStatus = 200;
      queueDepth = 0;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
