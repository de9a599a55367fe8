// Shows a batch while `studio batch create` waits for it: a bar of its lines on a terminal, a line per change of status or quarter anywhere else.
import { SingleBar } from 'cli-progress';
import type { Batch } from 'openai/resources/batches';

export interface BatchDisplay {
  show(batch: Batch): void;
  /** Ends the bar; call it however the wait ended. */
  stop(): void;
}

function counts(batch: Batch): { done: number; failed: number; total: number } {
  const { completed = 0, failed = 0, total = 0 } = batch.request_counts ?? {};
  return { done: completed + failed, failed, total };
}

function barDisplay(out: NodeJS.WriteStream): BatchDisplay {
  const bar = new SingleBar({
    stream: out,
    format: '  {bar} {value}/{total} lines | {failed} failed | {status}',
    barsize: 30,
    hideCursor: true,
    fps: 5,
  });
  let started = false;
  return {
    show: (batch) => {
      const { done, failed, total } = counts(batch);
      if (!started) {
        started = true;
        bar.start(total, done, { failed, status: batch.status });
      }
      bar.setTotal(total);
      bar.update(done, { failed, status: batch.status });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** For logs and pipes, where a bar would be noise. */
function lineDisplay(out: NodeJS.WritableStream): BatchDisplay {
  let last = '';
  return {
    show: (batch) => {
      const { done, failed, total } = counts(batch);
      const quarter = total === 0 ? 0 : Math.floor((done / total) * 4);
      const state = `${batch.status} ${quarter}`;
      if (state === last) return;
      last = state;
      out.write(`  ${batch.status}: ${done}/${total} lines, ${failed} failed\n`);
    },
    stop: () => {},
  };
}

export function batchDisplay(out: NodeJS.WriteStream): BatchDisplay {
  return out.isTTY ? barDisplay(out) : lineDisplay(out);
}
