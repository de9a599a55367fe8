// What a stored key may be named: short words a command line takes unquoted, never mistaken for a key's id.
const MAX_LENGTH = 64;

/** Why `name` cannot name a key, or undefined when it can. */
export function keyNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_LENGTH) return `A key's name is 1 to ${MAX_LENGTH} characters long.`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(name)) return `A key's name is letters, digits and . _ @ - , starting with a letter or digit.`;
  if (name.startsWith('key_')) return "A key's name may not start with 'key_', which starts every key's id.";
  return undefined;
}
