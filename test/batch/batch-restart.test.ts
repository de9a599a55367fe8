// A batch survives `kill -9`: the next server on the same data folder resumes it, and every line is answered and billed exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { afterAll, describe, expect, it } from 'vitest';
import { readLedger } from '../support/ledger-rows.js';
import { finished, outputUntil, studio } from '../support/studio-process.js';
import { tinyModelPath } from '../test-model.js';

const LINES = 10;
const directory = mkdtempSync(join(tmpdir(), 'studio-batch-restart-'));
const dataDir = join(directory, 'data');

afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function serve(): Promise<{ client: OpenAI; child: ReturnType<typeof studio> }> {
  const child = studio(['serve', '--model', await tinyModelPath(), '--port', '0', '--ctx', '512', '--parallel', '1', '--threads', '1', '--data-dir', dataDir]);
  const printed = await outputUntil(child, /listening on http:\/\/\S+/);
  const url = /listening on (http:\/\/\S+)/.exec(printed)![1]!;
  return { child, client: new OpenAI({ baseURL: `${url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 }) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a batch running when its server is killed with SIGKILL', () => {
  it('completes after a restart with every line in the output and the ledger exactly once', async () => {
    const first = await serve();
    const model = (await first.client.models.list()).data[0]!.id;
    const input = Array.from({ length: LINES }, (_, index) =>
      JSON.stringify({ custom_id: `line-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: `Line ${index}.` }], max_tokens: 32 } }),
    ).join('\n');
    const file = await first.client.files.create({ file: await toFile(Buffer.from(input), 'input.jsonl'), purpose: 'batch' });
    const created = await first.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    let batch: Batch = created;
    while (batch.request_counts!.completed < 2) {
      await pause(20);
      batch = await first.client.batches.retrieve(created.id);
    }
    const exited = finished(first.child);
    first.child.kill('SIGKILL');
    await exited;
    expect(batch.request_counts!.completed).toBeLessThan(LINES);

    const second = await serve();
    try {
      while (batch.status !== 'completed') {
        await pause(50);
        batch = await second.client.batches.retrieve(created.id);
        expect(['in_progress', 'finalizing', 'completed']).toContain(batch.status);
      }
      expect(batch.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
      const output = (await (await second.client.files.content(batch.output_file_id!)).text())
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { custom_id: string; response: { status_code: number; request_id: string } });
      const expected = Array.from({ length: LINES }, (_, index) => `line-${index}`).sort();
      expect(output.map((line) => line.custom_id).sort()).toEqual(expected);
      expect(output.every((line) => line.response.status_code === 200)).toBe(true);

      const billed = [...readLedger(dataDir).rows.values()].filter((row) => row.wire === 'batch' && row.status === 'completed');
      expect(billed.map((row) => row.request_id).sort()).toEqual(output.map((line) => line.response.request_id).sort());
    } finally {
      const exited = finished(second.child);
      second.child.kill('SIGTERM');
      await exited;
    }
    // Two servers start as processes, each loading the model: on a busy machine that alone takes a while.
  }, 180_000);
});
