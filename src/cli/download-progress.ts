// Shows a model download: a progress bar with speed and ETA on a terminal, a few plain lines anywhere else.
import { SingleBar } from 'cli-progress';
import prettyBytes from 'pretty-bytes';
import type { DownloadProgress } from '../lib/download-file.js';
import type { DownloadStart } from '../engines/llama/model-files.js';

export interface DownloadDisplay {
  onStart(start: DownloadStart): void;
  onProgress(progress: DownloadProgress): void;
  /** Ends the bar; call it however the download ended. */
  stop(): void;
}

/** Speed over the last few seconds, so one slow moment does not swing the ETA. */
const SPEED_WINDOW_MS = 5_000;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function speedometer(): (bytes: number) => number {
  const samples: { at: number; bytes: number }[] = [];
  return (bytes) => {
    const now = performance.now();
    samples.push({ at: now, bytes });
    while (samples.length > 2 && (samples[0]?.at ?? now) < now - SPEED_WINDOW_MS) samples.shift();
    const first = samples[0];
    if (first === undefined || now - first.at < 200) return 0;
    return ((bytes - first.bytes) * 1000) / (now - first.at);
  };
}

interface Figures {
  readonly received: string;
  readonly total: string;
  readonly speed: string;
  readonly eta: string;
}

function figures(progress: DownloadProgress, bytesPerSecond: number): Figures {
  const remaining = progress.totalBytes === undefined ? Number.NaN : progress.totalBytes - progress.receivedBytes;
  return {
    received: prettyBytes(progress.receivedBytes),
    total: progress.totalBytes === undefined ? '?' : prettyBytes(progress.totalBytes),
    speed: bytesPerSecond > 0 ? `${prettyBytes(bytesPerSecond)}/s` : '-',
    eta: bytesPerSecond > 0 ? duration(remaining / bytesPerSecond) : '?',
  };
}

function describeStart(start: DownloadStart): string {
  const details = [
    start.size === undefined ? undefined : prettyBytes(start.size),
    start.sha256 === undefined ? 'no sha256 known, size checked only' : `sha256 ${start.sha256.slice(0, 12)}…`,
    start.resumeFrom > 0 ? `resuming after ${prettyBytes(start.resumeFrom)}` : undefined,
  ].filter((detail) => detail !== undefined);
  return `Downloading ${start.url}\n  to ${start.path} (${details.join(', ')})\n`;
}

function barDisplay(out: NodeJS.WriteStream): DownloadDisplay {
  const bar = new SingleBar({
    stream: out,
    format: '  {bar} {percentage}% | {received} of {totalText} | {speed} | ETA {etaText}',
    barsize: 30,
    hideCursor: true,
    fps: 5,
  });
  const speed = speedometer();
  let started = false;
  return {
    onStart: (start) => out.write(describeStart(start)),
    onProgress: (progress) => {
      const shown = figures(progress, speed(progress.receivedBytes));
      const payload = { received: shown.received, totalText: shown.total, speed: shown.speed, etaText: shown.eta };
      if (!started) {
        started = true;
        bar.start(progress.totalBytes ?? 0, progress.receivedBytes, payload);
      }
      if (progress.totalBytes !== undefined) bar.setTotal(progress.totalBytes);
      bar.update(progress.receivedBytes, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** One line per quarter of the file, for logs and pipes where a bar would be noise. */
function lineDisplay(out: NodeJS.WritableStream): DownloadDisplay {
  const speed = speedometer();
  let lastQuarter = 0;
  return {
    onStart: (start) => out.write(describeStart(start)),
    onProgress: (progress) => {
      const bytesPerSecond = speed(progress.receivedBytes);
      if (progress.totalBytes === undefined || progress.totalBytes === 0) return;
      const quarter = Math.floor((progress.receivedBytes / progress.totalBytes) * 4);
      if (quarter <= lastQuarter) return;
      lastQuarter = quarter;
      const shown = figures(progress, bytesPerSecond);
      out.write(`  ${quarter * 25}% ${shown.received} of ${shown.total}, ${shown.speed}, ETA ${shown.eta}\n`);
    },
    stop: () => {},
  };
}

export function downloadDisplay(out: NodeJS.WriteStream): DownloadDisplay {
  return out.isTTY ? barDisplay(out) : lineDisplay(out);
}
