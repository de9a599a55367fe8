// Calls the native DashScope endpoint the way its docs' fetch and curl samples do, and reads its SSE.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export const GENERATION_PATH = '/api/v1/services/aigc/text-generation/generation';

export interface GenerationCall {
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  readonly apiKey?: string;
}

export function callGeneration(baseUrl: string, { body, headers = {}, apiKey }: GenerationCall, signal?: AbortSignal): Promise<Response> {
  return fetch(`${baseUrl}${GENERATION_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Every event of a finished SSE body, read with a well-kept parser. */
export function parseSse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  parser.feed(text);
  return events;
}

export interface Packet {
  readonly output: {
    readonly text?: string;
    readonly finish_reason?: string;
    readonly choices?: readonly { readonly message: { readonly role: string; readonly content: string }; readonly finish_reason: string }[];
  };
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number; readonly total_tokens: number };
  readonly request_id: string;
}

/** The text of one packet or body in either result format. */
export function packetText(packet: Packet): string {
  return packet.output.text ?? packet.output.choices?.[0]?.message.content ?? '';
}

export function packetFinishReason(packet: Packet): string | undefined {
  return packet.output.finish_reason ?? packet.output.choices?.[0]?.finish_reason;
}
