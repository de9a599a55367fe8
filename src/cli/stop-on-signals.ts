// Drains a running server on SIGINT or SIGTERM, and stops it at once on a second signal.
import { constants } from 'node:os';

/**
 * A second signal this soon after the first is the same Ctrl-C: `npm start` passes on to Studio the
 * SIGINT the terminal has already sent it, a few milliseconds later.
 */
const REPEAT_MS = 1000;

export function stopOnSignals(running: { close(): Promise<void> }, shutdownTimeoutSeconds: number): void {
  let firstAt: number | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (firstAt !== undefined) {
      // Whoever signals a second time will not wait for the drain.
      if (performance.now() - firstAt >= REPEAT_MS) process.exit(128 + constants.signals[signal]);
      return;
    }
    firstAt = performance.now();
    process.stdout.write(
      `Received ${signal}: new requests get 503 while open ones finish (up to ${shutdownTimeoutSeconds} s); press Ctrl-C again to stop now.\n`,
    );
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
