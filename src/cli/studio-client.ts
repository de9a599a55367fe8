// The openai SDK pointed at a Studio's compatible-mode API, for the commands that talk to a server (chat, batch).
import type OpenAI from 'openai';

export interface StudioClient {
  readonly client: OpenAI;
  /** The server's URL without a trailing slash, as error messages name it. */
  readonly base: string;
}

export async function studioClient(url: string, apiKey: string | undefined): Promise<StudioClient> {
  const base = url.replace(/\/+$/, '');
  // Imported by the commands that use it, not at every start of the command line.
  const { default: OpenAI } = await import('openai');
  // The SDK insists on a key; a server without auth ignores the placeholder.
  return { client: new OpenAI({ baseURL: `${base}/compatible-mode/v1`, apiKey: apiKey ?? 'none' }), base };
}
