// The banner's auth line: whether keys are required, how many, and where they came from (never the keys).
import type { ServerConfig } from '../config/server-config.js';

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** `storedKeys`: the keys in the store that are neither revoked nor expired. */
export function authSummary({ apiKeys, adminKey, sources }: Pick<ServerConfig, 'apiKeys' | 'adminKey' | 'sources'>, storedKeys: number): string {
  if (apiKeys.length === 0 && storedKeys === 0 && adminKey === undefined) return 'auth: off (loopback only; on once a key is created with studio keys create)';
  const parts = [
    ...(apiKeys.length > 0 ? [`${plural(apiKeys.length, 'key')} from ${sources.apiKeys}`] : []),
    ...(storedKeys > 0 ? [plural(storedKeys, 'stored key')] : []),
    ...(adminKey !== undefined ? ['admin API on'] : []),
  ];
  // Model Studio's own variable is often set for other tools; clients then need the user's cloud key to reach Studio.
  if (sources.apiKeys === 'DASHSCOPE_API_KEY') parts.splice(1, 0, 'your Model Studio key: clients must send it; --api-key or STUDIO_API_KEYS set other keys');
  return `auth: on (${parts.join(', ')})`;
}
