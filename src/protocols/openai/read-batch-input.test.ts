import { describe, expect, it } from 'vitest';
import { readBatchInput } from './read-batch-input.js';

async function* chunks(...texts: string[]): AsyncGenerator<Uint8Array> {
  for (const text of texts) yield new TextEncoder().encode(text);
}

const line = (customId: string, model = 'm') => JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [] } });
const known = (model: string) => model === 'm';

describe('reading a batch input file', () => {
  it('takes CRLF line ends, blank lines and lines split across chunks, keeping each body as JSON text', async () => {
    const text = `${line('a')}\r\n\r\n${line('b')}\n`;
    const input = await readBatchInput(chunks(text.slice(0, 10), text.slice(10)), known);
    expect(input).toEqual({
      ok: true,
      model: 'm',
      lines: [
        { customId: 'a', body: '{"model":"m","messages":[]}' },
        { customId: 'b', body: '{"model":"m","messages":[]}' },
      ],
    });
  });

  it('lists every refused line by its number in the file, blank lines counted', async () => {
    const input = await readBatchInput(chunks(`${line('a')}\n\n{oops\n${line('a')}\n${line('c', 'other')}\n`), known);
    expect(input).toEqual({
      ok: false,
      errors: [
        { code: 'invalid_json_line', message: expect.any(String), line: 3 },
        { code: 'duplicate_custom_id', message: expect.any(String), param: 'custom_id', line: 4 },
        { code: 'mismatched_model', message: expect.any(String), param: 'body.model', line: 5 },
      ],
    });
  });
});
