// Watches whether Studio answers: checks /health now and then (every second while it is away), and says when it is back.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type ServerState = 'online' | 'offline' | 'reconnected';

const ONLINE_INTERVAL_MS = 5000;
const OFFLINE_INTERVAL_MS = 1000;
const RECONNECTED_NOTICE_MS = 4000;

async function answers(): Promise<boolean> {
  try {
    // Any answer counts: a draining server's 503 is still a server.
    await fetch('health', { cache: 'no-store', signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

export interface ServerHealth {
  readonly state: ServerState;
  /** Grows at each return of the server: pages reload what they showed. */
  readonly reconnections: number;
  /** A request failed without an answer: check at once, and often, until the server is back. */
  readonly reportUnreachable: () => void;
}

export function useServerHealth(): ServerHealth {
  const [state, setState] = useState<ServerState>('online');
  const [reconnections, setReconnections] = useState(0);
  const offline = useRef(false);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let noticeTimer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const check = async (): Promise<void> => {
      const up = await answers();
      if (stopped) return;
      if (!up && !offline.current) setState('offline');
      if (up && offline.current) {
        setState('reconnected');
        setReconnections((count) => count + 1);
        clearTimeout(noticeTimer);
        noticeTimer = setTimeout(() => setState((now) => (now === 'reconnected' ? 'online' : now)), RECONNECTED_NOTICE_MS);
      }
      offline.current = !up;
      timer = setTimeout(() => void check(), up ? ONLINE_INTERVAL_MS : OFFLINE_INTERVAL_MS);
    };
    timer = setTimeout(() => void check(), ONLINE_INTERVAL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(noticeTimer);
    };
  }, []);

  const reportUnreachable = useCallback(() => {
    if (offline.current) return;
    offline.current = true;
    setState('offline');
  }, []);

  return { state, reconnections, reportUnreachable };
}
