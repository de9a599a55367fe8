// Builds a message from the text and image parts a client sent as a content list.
import type { ChatMessage, ContentPart } from '../core/chat-request.js';
import { InvalidRequestError } from '../core/errors.js';

/** A content part as decoded from the wire, with the field that holds it for error messages. */
export interface WirePart {
  readonly part: ContentPart;
  readonly param: string;
}

function joinText(parts: readonly WirePart[]): string {
  return parts.map(({ part }) => (part.type === 'text' ? part.text : '')).join('');
}

/** The text of a turn that may hold no images: vision models read images in user turns only. */
export function textOfParts(parts: readonly WirePart[]): string {
  const image = parts.find(({ part }) => part.type === 'image');
  if (image !== undefined) throw new InvalidRequestError(`${image.param}: only user messages may hold images.`, image.param);
  return joinText(parts);
}

/** Text parts are joined into `content`; `parts` is kept only when the (user) message holds images. */
export function messageFromParts(role: 'system' | 'user', parts: readonly WirePart[]): ChatMessage {
  if (role !== 'user' || !parts.some(({ part }) => part.type === 'image')) return { role, content: textOfParts(parts) };
  return { role, content: joinText(parts), parts: parts.map(({ part }) => part) };
}
