import { describe, expect, it } from 'vitest';
import { errorMessage } from './error-message.js';

describe('errorMessage', () => {
  it("quotes the OpenAI wire's message", () => {
    const body = JSON.stringify({ error: { message: 'Range of top_p should be (0.0, 1.0]', type: 'invalid_request_error', param: 'top_p', code: 'invalid_parameter' } });
    expect(errorMessage(400, body)).toBe('Studio answered 400: Range of top_p should be (0.0, 1.0]');
  });

  it("quotes DashScope's message", () => {
    expect(errorMessage(404, JSON.stringify({ request_id: 'x', code: 'ModelNotFound', message: 'Model not exist.' }))).toBe('Studio answered 404: Model not exist.');
  });

  it('tells where to enter the key on a 401', () => {
    const message = errorMessage(401, JSON.stringify({ error: { message: 'Incorrect API key provided. ' } }));
    expect(message).toContain('(Incorrect API key provided.)');
    expect(message).toContain('API key field');
  });

  it('says so when the body explains nothing', () => {
    expect(errorMessage(502, '<html>bad gateway</html>')).toBe('Studio answered 502 without an explanation.');
    expect(errorMessage(500, '')).toBe('Studio answered 500 without an explanation.');
  });
});
