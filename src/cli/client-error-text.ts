// One readable line for a failed request to a server (`studio chat`, `studio batch`): a refused key, an unknown model or id, a server that is not there.
import OpenAI from 'openai';

export function clientErrorText(error: unknown, url: string): string {
  if (error instanceof OpenAI.APIConnectionError) return `no server answers at ${url} (start one with \`studio serve\`, or name another with --url)`;
  if (error instanceof OpenAI.AuthenticationError) return `the server at ${url} refused the key (${error.status}); pass its key with --api-key or DASHSCOPE_API_KEY`;
  // A 403 is a known key refused one thing (a model, a feature): the server's words say which.
  if (error instanceof OpenAI.APIError) {
    // The SDK's message starts with the status; the server's own words follow it.
    const body = error.error as { message?: unknown } | undefined;
    const said = typeof body?.message === 'string' ? body.message : error.message;
    return `${error.status ?? 'error'}: ${said}`;
  }
  return error instanceof Error ? error.message : String(error);
}
