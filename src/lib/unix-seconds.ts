// Dates as the Unix seconds that OpenAI-shaped objects carry (`created_at`, `expires_at`…); an unset one is null.
export function unixSeconds(date: Date): number;
export function unixSeconds(date: Date | undefined): number | null;
export function unixSeconds(date: Date | undefined): number | null {
  return date === undefined ? null : Math.floor(date.getTime() / 1000);
}
