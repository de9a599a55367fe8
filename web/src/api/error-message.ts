// Turns a failed answer from Studio (either wire's error body, or none) into a sentence a person can act on.

/** Either wire's error body: OpenAI's `{error:{message}}` or DashScope's `{code, message}`. */
function serverMessage(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as { error?: { message?: unknown }; message?: unknown };
    const message = record.error?.message ?? record.message;
    return typeof message === 'string' && message.trim() !== '' ? message.trim() : undefined;
  } catch {
    return undefined;
  }
}

export function errorMessage(status: number, body: string): string {
  const said = serverMessage(body);
  if (status === 401) return `Studio did not accept the API key${said === undefined ? '' : ` (${said})`}. Enter a valid key in the API key field at the top of the page.`;
  if (status === 403) return `This key may not do that${said === undefined ? '.' : `: ${said}`}`;
  if (status === 429) return `Too many requests for this key right now${said === undefined ? '' : ` (${said})`}. Wait a moment and try again.`;
  if (said !== undefined) return `Studio answered ${status}: ${said}`;
  return `Studio answered ${status} without an explanation.`;
}

/** A fetch that failed before any answer: the server is down or unreachable (an abort is not this). */
export const UNREACHABLE = 'Studio cannot be reached. The page retries and says when it is back.';
