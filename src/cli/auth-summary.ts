// The banner's auth line: whether keys are required, how many, and where they came from (never the keys).
import type { ServerConfig } from '../config/server-config.js';

export function authSummary({ apiKeys, sources }: Pick<ServerConfig, 'apiKeys' | 'sources'>): string {
  if (apiKeys.length === 0) return 'auth: off (loopback only)';
  const keys = `${apiKeys.length} key${apiKeys.length === 1 ? '' : 's'} from ${sources.apiKeys}`;
  // Model Studio's own variable is often set for other tools; clients then need the user's cloud key to reach Studio.
  if (sources.apiKeys === 'DASHSCOPE_API_KEY') return `auth: on (${keys}, your Model Studio key: clients must send it; --api-key or STUDIO_API_KEYS set other keys)`;
  return `auth: on (${keys})`;
}
