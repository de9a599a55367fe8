// Batch work on an upstream model: it keeps to the upstream's limits and gives its place to live requests.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/core/chat-request.js';
import type { GenerationPriority } from '../../src/core/engine.js';
import { PreemptedError } from '../../src/core/errors.js';
import { UpstreamEngine } from '../../src/engines/upstream/upstream-engine.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { eventually } from '../support/test-server.js';

const request: ChatRequest = { model: 'remote', messages: [{ role: 'user', content: 'Say hello.' }], sampling: {}, stop: [] };
const long = Array.from({ length: 200 }, (_, i) => `piece ${i} `);

interface Generation {
  /** Resolves at the first text: the request is open on the upstream. */
  readonly streaming: Promise<void>;
  /** The text, or the error it ended with. */
  readonly ended: Promise<string | Error>;
}

describe('batch work on an upstream model', () => {
  let fake: FakeUpstream;
  let engine: UpstreamEngine;

  beforeAll(async () => {
    fake = await startFakeUpstream();
  });
  beforeEach(() => {
    fake.reset();
    engine = new UpstreamEngine({
      name: 'remote',
      endpoints: [{ url: fake.url, model: 'm', weight: 1 }],
      affinity: false,
      contextSize: 1024,
      connectTimeoutMs: 2_000,
      firstTokenTimeoutMs: 30_000,
      healthCheckIntervalMs: 60_000,
      cooldownMs: 60_000,
      maxAttempts: 3,
    });
  });
  afterEach(() => engine.dispose());
  afterAll(() => fake?.close());

  const generate = (priority: GenerationPriority): Generation => {
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    const ended = (async () => {
      let text = '';
      try {
        for await (const event of engine.generate(request, { signal: new AbortController().signal, priority })) {
          if (event.type !== 'text-delta') continue;
          text += event.delta;
          streaming();
        }
        return text;
      } catch (error) {
        return error as Error;
      }
    })();
    return { streaming: started, ended };
  };

  it('stops a batch request for a live one the endpoint is too busy for, which then takes its place', async () => {
    fake.script({ kind: 'slow', delayMs: 50, text: long }, { kind: 'status', status: 429 }, { kind: 'reply', text: ['live'] });
    const line = generate('batch');
    await line.streaming;
    const live = generate('live');
    expect(await live.ended).toBe('live');
    expect(await line.ended).toBeInstanceOf(PreemptedError);
    // The batch request's connection was closed, which is how the upstream learns to stop generating.
    await eventually(() => fake.completions()[0]?.disconnected === true);
    expect(fake.completions()).toHaveLength(3);
  });

  it("ends a batch request the upstream is too busy for with PreemptedError and the upstream's Retry-After, tried no further", async () => {
    fake.script({ kind: 'status', status: 503, retryAfter: 7 });
    const error = await generate('batch').ended;
    expect(error).toBeInstanceOf(PreemptedError);
    expect((error as PreemptedError).retryAfterSeconds).toBeGreaterThanOrEqual(6);
    expect(fake.completions()).toHaveLength(1);
    // The endpoint is left alone for that long: the next batch request does not reach it.
    expect(await generate('batch').ended).toBeInstanceOf(PreemptedError);
    expect(fake.completions()).toHaveLength(1);
  });
});
