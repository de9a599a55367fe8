// A tool call as both wires put it in a message or a stream fragment (PROTOCOL §9.2, §9.4).
import type { ToolCall } from '../core/chat-request.js';

/** A call and its position among the answer's calls, by which clients merge stream fragments. */
export interface IndexedToolCall {
  readonly index: number;
  readonly call: ToolCall;
}

/** `type` is always present and `arguments` is JSON text: the Java SDK calls toString() on both fields. */
export function encodeToolCall({ index, call }: IndexedToolCall): object {
  return { index, id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

export function indexToolCalls(calls: readonly ToolCall[]): IndexedToolCall[] {
  return calls.map((call, index) => ({ index, call }));
}
