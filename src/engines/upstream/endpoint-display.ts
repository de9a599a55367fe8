// How an endpoint is named in logs and errors: host:port of its URL, never its path or key.

export function endpointDisplay(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  return `${parsed.hostname}:${port}`;
}
