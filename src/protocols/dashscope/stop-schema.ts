// The native wire's `stop`: texts or token-id sequences, never both (PROTOCOL §4.3).
import { z } from 'zod';
import type { ChatRequest } from '../../core/chat-request.js';

const MAX_STOP_SEQUENCES = 16;

/** Model Studio's own text for a `stop` of the wrong shape. */
const STOP_SHAPE_ERROR =
  'The "stop" parameter must be of type "str", "list[str]", "list[int]", or "list[list[int]]", and all elements within the list must be of the same type.';

/** Signs are checked after the union: a failed check inside it would hide the union's own error. */
const tokenIds = z.array(z.number().int());

type TokenIds = z.infer<typeof tokenIds>;

/** One text, texts, one token sequence (`int[]`) or several (`int[][]`, as the Java SDK sends them). */
export const stopSchema = z
  .union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)], { error: STOP_SHAPE_ERROR })
  .refine((stop) => typeof stop === 'string' || stop.flat().every((item) => typeof item === 'string' || item >= 0), {
    error: 'Token ids in stop must not be negative.',
  })
  .refine((stop) => typeof stop === 'string' || typeof stop[0] === 'number' || stop.length <= MAX_STOP_SEQUENCES, {
    error: `stop must be a list of at most ${MAX_STOP_SEQUENCES} sequences.`,
  });

type WireStop = z.infer<typeof stopSchema>;

function isTokenSequence(stop: Exclude<WireStop, string>): stop is TokenIds {
  return typeof stop[0] === 'number';
}

function isTokenSequences(stop: Exclude<WireStop, string>): stop is TokenIds[] {
  return Array.isArray(stop[0]);
}

/** Texts go to `stop`, token sequences to `stopTokens`; an empty list, or an empty sequence, stops nothing. */
export function toStop(stop: WireStop | null | undefined): Pick<ChatRequest, 'stop' | 'stopTokens'> {
  if (stop == null) return { stop: [] };
  if (typeof stop === 'string') return { stop: [stop] };
  if (isTokenSequence(stop)) return { stop: [], stopTokens: [stop] };
  if (!isTokenSequences(stop)) return { stop };
  const sequences = stop.filter((sequence) => sequence.length > 0);
  return { stop: [], ...(sequences.length === 0 ? {} : { stopTokens: sequences }) };
}
