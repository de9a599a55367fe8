import { describe, expect, it } from 'vitest';
import { InvalidRequestError, UpstreamError } from '../../core/errors.js';
import { upstreamMessage, upstreamStatusError } from './upstream-error.js';

const upstream = { name: 'qwen3-32b', model: 'Qwen/Qwen3-32B', host: '10.0.0.11:8000' };

describe('upstreamMessage', () => {
  it('reads the message of every common error shape, and a param where one is given', () => {
    expect(upstreamMessage('{"error":{"message":"max_tokens is too large","param":"max_tokens"}}')).toEqual({ message: 'max_tokens is too large', param: 'max_tokens' });
    expect(upstreamMessage('{"error":"bad input"}')).toEqual({ message: 'bad input' });
    expect(upstreamMessage('{"message":"bad input","code":400}')).toEqual({ message: 'bad input' });
    expect(upstreamMessage('{"detail":"Not Found"}')).toEqual({ message: 'Not Found' });
    expect(upstreamMessage('plain words\n  here')).toEqual({ message: 'plain words here' });
  });

  it('quotes no HTML page, empty body or shapeless JSON', () => {
    expect(upstreamMessage('<html><body>502 Bad Gateway</body></html>')).toBeUndefined();
    expect(upstreamMessage('')).toBeUndefined();
    expect(upstreamMessage('{"object":"error"}')).toBeUndefined();
  });

  it('cuts a long message short', () => {
    expect(upstreamMessage(JSON.stringify({ error: { message: 'x'.repeat(10_000) } }))?.message).toHaveLength(501);
  });
});

describe('upstreamStatusError', () => {
  it("makes a 400 or 422 an invalid request with the upstream's message and param", () => {
    const error = upstreamStatusError(400, '{"error":{"message":"This model\'s maximum context length is 32768 tokens.","param":"messages"}}', upstream);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ message: "This model's maximum context length is 32768 tokens.", param: 'messages' });
    expect(upstreamStatusError(422, '<html>', upstream)).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('qwen3-32b') });
  });

  it('says a refused key is refused, naming the upstream but never the body', () => {
    const error = upstreamStatusError(401, '{"error":{"message":"Incorrect API key provided: sk-secret"}}', upstream);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe('The upstream for model "qwen3-32b" (10.0.0.11:8000) refused Studio\'s API key.');
    expect(upstreamStatusError(403, '', upstream).message).toBe(error.message);
  });

  it('says which model the upstream does not serve on a 404', () => {
    expect(upstreamStatusError(404, '', upstream).message).toBe('The upstream for model "qwen3-32b" (10.0.0.11:8000) does not serve model "Qwen/Qwen3-32B".');
  });

  it("gives other statuses with a client error's reason, and a server error's status only", () => {
    expect(upstreamStatusError(413, '{"message":"body too big"}', upstream).message).toBe('The upstream for model "qwen3-32b" (10.0.0.11:8000) answered HTTP 413: body too big.');
    const error = upstreamStatusError(500, '{"message":"Traceback (most recent call last): File /opt/vllm"}', upstream);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe('The upstream for model "qwen3-32b" (10.0.0.11:8000) answered HTTP 500.');
  });
});
