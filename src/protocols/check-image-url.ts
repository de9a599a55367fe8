// Checks the URL of an image a client sends: a web address, or a data URL of an image format within the size limit.
import { InvalidRequestError } from '../core/errors.js';
import { quoteClientText } from '../lib/quote-client-text.js';

/**
 * Decoded bytes one data-URL image may hold. Model Studio's documents give a limit of about 10 MB
 * for a Base64 image; the request body limit (`--max-body-bytes`) must be above 4/3 of this for
 * such an image to arrive at all.
 */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** The formats Qwen-VL reads; `jpg` is not a MIME type, but clients write it. */
const DATA_URL = /^data:image\/(png|jpeg|jpg|webp|gif|bmp);base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function checkDataUrl(url: string, param: string): void {
  const prefix = DATA_URL.exec(url);
  if (prefix === null) {
    throw new InvalidRequestError(`${param}: a data URL must be data:image/<png|jpeg|webp|gif|bmp>;base64,<data>.`, param);
  }
  const data = url.slice(prefix[0].length);
  const bytes = decodedLength(data);
  if (bytes > MAX_IMAGE_BYTES) {
    throw new InvalidRequestError(
      `${param}: the image holds ${bytes} bytes; an image sent as a data URL may hold at most ${MAX_IMAGE_BYTES} bytes (10 MiB).`,
      param,
    );
  }
  if (!BASE64.test(data)) throw new InvalidRequestError(`${param}: the image data is not valid base64.`, param);
}

/** `param` names the field in the wire's own naming, as `messages[0].content[1].image_url.url`. */
export function checkImageUrl(url: string, param: string): void {
  if (/^data:/i.test(url)) {
    checkDataUrl(url, param);
    return;
  }
  const scheme = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (scheme !== 'https:' && scheme !== 'http:') {
    throw new InvalidRequestError(`${param}: ${quoteClientText(url)} is not an image URL; send an https: or http: URL, or a data:image/…;base64 URL.`, param);
  }
}
