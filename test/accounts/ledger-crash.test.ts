// kill -9 under load, then a restart on the same store: every answered request keeps its exact row, the rest close as interrupted, nothing counts twice, the file stays sound.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATION_PATH, parseSse, type Packet } from '../support/dashscope-client.js';
import { readLedger } from '../support/ledger-rows.js';
import { finished, outputUntil, studio, type Finished } from '../support/studio-process.js';
import { eventually } from '../support/test-server.js';
import { tinyModelPath } from '../test-model.js';

const directory = mkdtempSync(join(tmpdir(), 'studio-ledger-crash-'));
const dataDir = join(directory, 'data');
/** The restart closes the rows left open by the same instance id. */
const INSTANCE = 'crash-test';
const ask = [{ role: 'user' as const, content: 'Write a long story about a lighthouse.' }];

const children: ChildProcessWithoutNullStreams[] = [];

afterAll(() => {
  // Should an assertion fail before its kill.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
});

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly exited: Promise<Finished>;
}

async function serve(): Promise<Running> {
  const child = studio([
    'serve', '--model', await tinyModelPath(), '--model-name', 'tiny', '--port', '0', '--threads', '1', '--parallel', '4', '--ctx', '1024',
    '--data-dir', dataDir, '--instance-id', INSTANCE, '--log-level', 'warn',
  ]);
  children.push(child);
  const listening = outputUntil(child, /listening on http:\/\/\S+\n/);
  const exited = finished(child);
  const url = /listening on (http:\/\/\S+)/.exec(await listening)?.[1] ?? '';
  return { child, url, exited };
}

type Kind = 'openai-stream' | 'openai-blocking' | 'dashscope-stream' | 'cancelled';

interface Call {
  readonly kind: Kind;
  requestId?: string;
  status?: number;
  /** The client read the reply to its last byte. */
  answered: boolean;
  /** The counts the client saw in the reply. */
  usage?: { readonly prompt: number; readonly completion: number };
}

/** Sends one request and reads it as its client would; a reply cut by the kill leaves `answered` false. */
async function run(url: string, kind: Kind, maxTokens: number): Promise<Call> {
  const call: Call = { kind, answered: false };
  const controller = new AbortController();
  try {
    const dashscope = kind === 'dashscope-stream';
    const response = await fetch(dashscope ? `${url}${GENERATION_PATH}` : `${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(dashscope ? { 'X-DashScope-SSE': 'enable' } : {}) },
      body: JSON.stringify(
        dashscope
          ? { model: 'tiny', input: { messages: ask }, parameters: { max_tokens: maxTokens, incremental_output: true } }
          : { model: 'tiny', messages: ask, max_tokens: maxTokens, stream: kind !== 'openai-blocking', stream_options: kind === 'openai-blocking' ? undefined : { include_usage: true } },
      ),
      signal: controller.signal,
    });
    call.requestId = response.headers.get('x-request-id') ?? undefined;
    call.status = response.status;
    if (response.status !== 200) return call;
    if (kind === 'openai-blocking') {
      const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      call.usage = { prompt: body.usage.prompt_tokens, completion: body.usage.completion_tokens };
      call.answered = true;
      return call;
    }
    if (kind === 'cancelled') {
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      return call;
    }
    // A stream cut by the kill fails here: its chunked body never ends cleanly.
    const events = parseSse(await response.text());
    if (dashscope) {
      const last = JSON.parse(events.at(-1)!.data) as Packet;
      call.usage = { prompt: last.usage.input_tokens, completion: last.usage.output_tokens };
    } else {
      expect(events.at(-1)?.data).toBe('[DONE]');
      const chunk = events.map((event) => (event.data === '[DONE]' ? undefined : (JSON.parse(event.data) as { usage?: { prompt_tokens: number; completion_tokens: number } })));
      const usage = chunk.find((parsed) => parsed?.usage != null)?.usage;
      call.usage = usage && { prompt: usage.prompt_tokens, completion: usage.completion_tokens };
    }
    call.answered = true;
  } catch {
    // Cut by the kill (or cancelled on purpose): not answered.
  }
  return call;
}

/** Short replies that finish before the kill, long ones it cuts, and some the client cancels. */
const plan: readonly { kind: Kind; maxTokens: number }[] = Array.from({ length: 32 }, (_, index) => ({
  kind: (['openai-stream', 'openai-blocking', 'dashscope-stream', 'openai-stream', 'openai-blocking', 'dashscope-stream', 'cancelled', 'openai-stream'] as const)[index % 8]!,
  maxTokens: [4, 8, 16, 600][index % 4]!,
}));

describe('the ledger across a kill -9', () => {
  it('keeps every answered request with its exact counts, closes the rest as interrupted, counts nothing twice', async () => {
    const first = await serve();
    const calls = plan.map(({ kind, maxTokens }) => run(first.url, kind, maxTokens));
    let done = 0;
    for (const pending of calls) void pending.then((call) => (done += call.answered ? 1 : 0));
    // Killed once some replies are whole and others are still being generated.
    await eventually(() => done >= 8, 60_000);
    first.child.kill('SIGKILL');
    const results = await Promise.all(calls);
    await first.exited;

    const second = await serve();
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const ledger = readLedger(dataDir);
    expect(ledger.integrity).toBe('ok');
    expect(results.filter((call) => call.status !== undefined && call.status !== 200)).toEqual([]);
    const answered = results.filter((call) => call.answered);
    const cut = results.filter((call) => !call.answered);
    expect(answered.length).toBeGreaterThanOrEqual(8);
    expect(cut.filter((call) => call.kind !== 'cancelled').length).toBeGreaterThan(0);
    for (const call of answered) {
      expect(call.usage?.completion).toBeGreaterThan(0);
      expect(ledger.rows.get(call.requestId!)).toMatchObject({ status: 'completed', prompt_tokens: call.usage?.prompt, completion_tokens: call.usage?.completion });
    }
    const statuses = new Set(['interrupted', 'client_aborted', 'completed']);
    for (const call of cut) {
      const row = call.requestId === undefined ? undefined : ledger.rows.get(call.requestId);
      if (row !== undefined) expect(statuses).toContain(row.status);
    }
    expect([...ledger.rows.values()].filter((row) => row.status === 'interrupted').length).toBeGreaterThan(0);
    expect([...ledger.rows.values()].some((row) => row.status === 'open')).toBe(false);
    expect(ledger.daily).toEqual(ledger.closed);
  }, 180_000);
});
