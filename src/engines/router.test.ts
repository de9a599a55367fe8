// The router: models listed with their catalog facts, by name or alias, images only to vision models, and fallbacks before the first event.
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../core/chat-request.js';
import type { Engine, GenerateOptions, ModelInfo } from '../core/engine.js';
import { InvalidRequestError, ModelUnavailableError, OverloadedError, RateLimitedError, UpstreamError } from '../core/errors.js';
import type { GenerationEvent, Usage } from '../core/generation-event.js';
import type { CatalogEntry } from '../core/model-catalog.js';
import { EngineRouter } from './router.js';

function entry(name: string, fields: Partial<CatalogEntry> = {}): CatalogEntry {
  return { name, aliases: [], context: 1024, defaults: { systemPrompt: null }, thinking: { supported: true }, vision: false, fallbacks: [], ...fields };
}

/** An engine of one model that records what it was asked, admits each prompt and counts its usage as a real one does. */
class ScriptedEngine implements Engine {
  readonly specificationVersion = 'v1';
  readonly requests: ChatRequest[] = [];
  stopped = false;

  constructor(
    readonly name: string,
    /** Thrown before the first event; or, with `afterStart`, once `start` is out. */
    readonly failure?: { readonly error: Error; readonly afterStart?: boolean },
  ) {}

  listModels(): readonly ModelInfo[] {
    return [{ id: this.name, contextSize: 1024, ownedBy: 'test', created: 0 }];
  }

  async *generate(request: ChatRequest, { admit, onUsage }: GenerateOptions): AsyncGenerator<GenerationEvent> {
    this.requests.push(request);
    let outputTokens = 0;
    try {
      await admit?.({ inputTokens: 10, maxTokens: 20 });
      if (this.failure !== undefined && this.failure.afterStart !== true) throw this.failure.error;
      yield { type: 'start', model: this.name, inputTokens: 10 };
      if (this.failure !== undefined) throw this.failure.error;
      yield { type: 'text-delta', choice: 0, delta: `from ${this.name}` };
      yield { type: 'finish', choice: 0, finishReason: { unified: 'stop', raw: 'stop' } };
      outputTokens = 2;
      yield { type: 'usage', usage: { inputTokens: 10, outputTokens } };
    } finally {
      this.stopped = true;
      onUsage?.({ inputTokens: 10, outputTokens });
    }
  }

  async dispose(): Promise<void> {}
}

const ask: ChatRequest = { model: 'main', messages: [{ role: 'user', content: 'Hello' }], sampling: {}, stop: [] };
const withImage: ChatRequest = {
  ...ask,
  messages: [{ role: 'user', content: 'What is this?', parts: [{ type: 'text', text: 'What is this?' }, { type: 'image', url: 'data:image/png;base64,AAAA' }] }],
};

interface Run {
  readonly events: GenerationEvent[];
  readonly usages: Usage[];
  readonly admitted: number;
  readonly error?: unknown;
}

async function run(router: EngineRouter, request: ChatRequest = ask): Promise<Run> {
  const events: GenerationEvent[] = [];
  const usages: Usage[] = [];
  let admitted = 0;
  const options: GenerateOptions = {
    signal: new AbortController().signal,
    onUsage: (usage) => void usages.push(usage),
    admit: async () => void admitted++,
  };
  try {
    for await (const event of router.generate(request, options)) events.push(event);
  } catch (error) {
    return { events, usages, admitted, error };
  }
  return { events, usages, admitted };
}

const unavailable = (): ModelUnavailableError => new ModelUnavailableError('Model "main" has no endpoint up.', 5);

describe('routing', () => {
  it('sends a request by alias to its model under the canonical name, with that model’s defaults and price', async () => {
    const engine = new ScriptedEngine('main');
    const router = new EngineRouter([{ entry: entry('main', { aliases: ['qwen-plus'], defaults: { systemPrompt: 'Be brief.', temperature: 0.3 }, price: { currency: 'USD', tiers: [{ input: 1, output: 2 }] } }), engine }]);
    const { events, usages } = await run(router, { ...ask, model: 'qwen-plus' });
    expect(engine.requests[0]).toMatchObject({ model: 'main', sampling: { temperature: 0.3 }, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user' }] });
    expect(events.map((event) => event.type)).toEqual(['start', 'text-delta', 'finish', 'usage']);
    expect(usages).toEqual([{ inputTokens: 10, outputTokens: 2, cost: { currency: 'USD', input: 0.00001, output: 0.000004, total: 0.000014 } }]);
  });

  it('lists each model with its catalog entry’s limits, thinking and vision', () => {
    const router = new EngineRouter([
      { entry: entry('main', { aliases: ['qwen-plus'], maxOutputTokens: 64, thinking: { supported: true, default: 'off' } }), engine: new ScriptedEngine('main') },
      { entry: entry('eyes', { thinking: { supported: false }, vision: true }), engine: new ScriptedEngine('eyes') },
    ]);
    expect(router.listModels()).toEqual([
      { id: 'main', aliases: ['qwen-plus'], contextSize: 1024, maxOutputTokens: 64, maxInputTokens: undefined, price: undefined, thinking: { supported: true, default: 'off' }, vision: false, ownedBy: 'test', created: 0 },
      { id: 'eyes', aliases: [], contextSize: 1024, maxOutputTokens: undefined, maxInputTokens: undefined, price: undefined, thinking: { supported: false }, vision: true, ownedBy: 'test', created: 0 },
    ]);
  });
});

describe('images', () => {
  it('refuses images to a model not marked vision with a 400 that names the model', async () => {
    const engine = new ScriptedEngine('main');
    const { error } = await run(new EngineRouter([{ entry: entry('main'), engine }]), withImage);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).message).toBe('Model "main" does not accept images; send images to a model marked "vision: true".');
    expect((error as InvalidRequestError).param).toBe('messages');
    expect(engine.requests).toHaveLength(0);
  });

  it('passes images to a vision model', async () => {
    const engine = new ScriptedEngine('main');
    const { events } = await run(new EngineRouter([{ entry: entry('main', { vision: true }), engine }]), withImage);
    expect(events[0]).toMatchObject({ type: 'start', model: 'main' });
  });
});

describe('fallbacks', () => {
  it('serves from the first fallback that can when the model is out of capacity, with the fallback’s defaults and price, admitting once', async () => {
    const main = new ScriptedEngine('main', { error: unavailable() });
    const spare = new ScriptedEngine('spare');
    const router = new EngineRouter([
      { entry: entry('main', { fallbacks: ['turbo'], price: { currency: 'USD', tiers: [{ input: 100, output: 100 }] } }), engine: main },
      { entry: entry('spare', { aliases: ['turbo'], defaults: { systemPrompt: 'Spare.', topP: 0.5 }, price: { currency: 'CNY', tiers: [{ input: 1, output: 2 }] } }), engine: spare },
    ]);
    const { events, usages, admitted } = await run(router);
    expect(events[0]).toEqual({ type: 'start', model: 'spare', inputTokens: 10 });
    expect(events[1]).toMatchObject({ delta: 'from spare' });
    expect(spare.requests[0]).toMatchObject({ model: 'spare', sampling: { topP: 0.5 }, messages: [{ role: 'system', content: 'Spare.' }, { role: 'user' }] });
    // The abandoned attempt's usage never reaches the ledger; the serving model's is priced at its own price.
    expect(usages).toEqual([{ inputTokens: 10, outputTokens: 2, cost: { currency: 'CNY', input: 0.00001, output: 0.000004, total: 0.000014 } }]);
    expect(admitted).toBe(1);
  });

  it.each([
    ['the model is unavailable', unavailable()],
    ['the model is overloaded', new OverloadedError('busy')],
    ['the model’s queue is full', new RateLimitedError('queue full', 1, 'queue')],
  ])('falls back when %s', async (_, error) => {
    const router = new EngineRouter([
      { entry: entry('main', { fallbacks: ['spare'] }), engine: new ScriptedEngine('main', { error }) },
      { entry: entry('spare'), engine: new ScriptedEngine('spare') },
    ]);
    expect((await run(router)).events[0]).toMatchObject({ model: 'spare' });
  });

  it.each([
    ['a key’s own rate limit', new RateLimitedError('slow down', 1, 'key')],
    ['an invalid request', new InvalidRequestError('bad', 'temperature')],
    ['an upstream failure', new UpstreamError('The upstream refused the key.')],
  ])('does not fall back on %s', async (_, error) => {
    const spare = new ScriptedEngine('spare');
    const router = new EngineRouter([
      { entry: entry('main', { fallbacks: ['spare'] }), engine: new ScriptedEngine('main', { error }) },
      { entry: entry('spare'), engine: spare },
    ]);
    const result = await run(router);
    expect(result.error).toBe(error);
    expect(result.usages).toEqual([{ inputTokens: 10, outputTokens: 0 }]);
    expect(spare.requests).toHaveLength(0);
  });

  it('never retries once the first event is out', async () => {
    const error = unavailable();
    const spare = new ScriptedEngine('spare');
    const router = new EngineRouter([
      { entry: entry('main', { fallbacks: ['spare'] }), engine: new ScriptedEngine('main', { error, afterStart: true }) },
      { entry: entry('spare'), engine: spare },
    ]);
    const result = await run(router);
    expect(result.events).toEqual([{ type: 'start', model: 'main', inputTokens: 10 }]);
    expect(result.error).toBe(error);
    expect(spare.requests).toHaveLength(0);
  });

  it('tries fallbacks of fallbacks once each, and when none serves gives the requested model’s error and usage', async () => {
    const error = unavailable();
    const engines = {
      main: new ScriptedEngine('main', { error }),
      a: new ScriptedEngine('a', { error: new OverloadedError('a is busy') }),
      b: new ScriptedEngine('b', { error: new ModelUnavailableError('b is loading', 3) }),
    };
    // A cycle the catalog would refuse: the router still tries each model once.
    const router = new EngineRouter([
      { entry: entry('main', { fallbacks: ['a', 'b'] }), engine: engines.main },
      { entry: entry('a', { fallbacks: ['b', 'main'] }), engine: engines.a },
      { entry: entry('b', { fallbacks: ['a'] }), engine: engines.b },
    ]);
    const result = await run(router);
    expect(result.error).toBe(error);
    expect(result.usages).toEqual([{ inputTokens: 10, outputTokens: 0 }]);
    expect(result.admitted).toBe(1);
    expect([engines.main.requests.length, engines.a.requests.length, engines.b.requests.length]).toEqual([1, 1, 1]);
  });

  it('skips a fallback that does not take images', async () => {
    const router = new EngineRouter([
      { entry: entry('main', { vision: true, fallbacks: ['text-only', 'vl'] }), engine: new ScriptedEngine('main', { error: unavailable() }) },
      { entry: entry('text-only'), engine: new ScriptedEngine('text-only') },
      { entry: entry('vl', { vision: true }), engine: new ScriptedEngine('vl') },
    ]);
    expect((await run(router, withImage)).events[0]).toMatchObject({ model: 'vl' });
  });

  it('stops the serving engine when the consumer stops after the first event', async () => {
    const spare = new ScriptedEngine('spare');
    const router = new EngineRouter([
      { entry: entry('main', { fallbacks: ['spare'] }), engine: new ScriptedEngine('main', { error: unavailable() }) },
      { entry: entry('spare'), engine: spare },
    ]);
    const iterator = router.generate(ask, { signal: new AbortController().signal })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'start', model: 'spare' });
    expect(spare.stopped).toBe(false);
    await iterator.return?.(undefined);
    expect(spare.stopped).toBe(true);
  });
});
