// Says when Studio cannot be reached, and when it is back.
import type { ServerState } from './api/use-server-health.js';

export function ServerBanner({ state }: { state: ServerState }) {
  return (
    <div class={`banner banner-${state}`} role="status" aria-live="polite">
      {state === 'offline' && 'Studio cannot be reached. Retrying every second…'}
      {state === 'reconnected' && 'Studio is back. Reconnected.'}
    </div>
  );
}
