import { describe, expect, it } from 'vitest';
import { withModel } from './batch-input.js';

describe('withModel', () => {
  it("sets body.model on a request line, keeping the rest of it", () => {
    const line = JSON.stringify({ custom_id: '1', method: 'POST', url: '/v1/chat/completions', body: { model: 'a', messages: [] } });
    expect(JSON.parse(withModel(line, 'b'))).toEqual({ custom_id: '1', method: 'POST', url: '/v1/chat/completions', body: { model: 'b', messages: [] } });
    expect(JSON.parse(withModel('{"custom_id":"2","body":{}}', 'b'))).toEqual({ custom_id: '2', body: { model: 'b' } });
  });

  it('leaves a line that is not a request object as it is, for the server to report', () => {
    for (const line of ['not json', '[1]', '"text"', '{"custom_id":"3"}', '{"body":[1]}', '{"body":null}']) expect(withModel(line, 'b')).toBe(line);
  });
});
