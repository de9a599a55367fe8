import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../core/errors.js';
import { checkImageUrl, MAX_IMAGE_BYTES } from './check-image-url.js';

const PARAM = 'messages[0].content[1].image_url.url';

/** A data URL whose base64 decodes to `bytes` bytes. */
function dataUrl(bytes: number, type = 'png'): string {
  return `data:image/${type};base64,${Buffer.alloc(bytes, 7).toString('base64')}`;
}

function rejection(url: string): InvalidRequestError {
  try {
    checkImageUrl(url, PARAM);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  return expect.unreachable('the URL was accepted');
}

describe('checkImageUrl', () => {
  it('accepts https and http URLs and data URLs of the image formats Qwen-VL reads', () => {
    for (const url of ['https://example.com/a.png', 'http://10.0.0.1:8080/cat.jpg?x=1', ...['png', 'jpeg', 'jpg', 'webp', 'gif', 'bmp', 'PNG'].map((type) => dataUrl(10, type))]) {
      expect(() => checkImageUrl(url, PARAM)).not.toThrow();
    }
  });

  it('accepts a data URL of exactly the limit and refuses one byte more, naming the field and the limit', () => {
    expect(() => checkImageUrl(dataUrl(MAX_IMAGE_BYTES), PARAM)).not.toThrow();
    const error = rejection(dataUrl(MAX_IMAGE_BYTES + 1));
    expect(error.param).toBe(PARAM);
    expect(error.message).toContain(PARAM);
    expect(error.message).toContain(`${MAX_IMAGE_BYTES + 1} bytes`);
    expect(error.message).toContain(`at most ${MAX_IMAGE_BYTES} bytes (10 MiB)`);
  });

  it('refuses other schemes, relative and unparsable URLs, quoting them cut short', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/a.png', 'javascript:alert(1)', '/images/a.png', 'not a url', '']) {
      expect(rejection(url)).toMatchObject({ param: PARAM, message: expect.stringContaining('not an image URL') });
    }
    expect(rejection(`file://${'a'.repeat(100_000)}`).message.length).toBeLessThan(300);
  });

  it('refuses data URLs that are not base64 images', () => {
    for (const url of ['data:text/plain;base64,aGk=', 'data:image/svg+xml;base64,PHN2Zz4=', 'data:image/png,rawbytes', 'data:image/tiff;base64,aGk=']) {
      expect(rejection(url).message).toContain('data:image/<png|jpeg|webp|gif|bmp>;base64,<data>');
    }
    expect(rejection('data:image/png;base64,not*base64!').message).toContain('not valid base64');
  });
});
