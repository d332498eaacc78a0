/**
 * One progress line per stream on stderr, with the ETA of the stream and of the whole run. On a terminal
 * the line is redrawn in place; otherwise (a pipe, CI) a plain line every quarter of a stream.
 */
export interface Progress {
  stream(index: number, total: number, title: string): StreamProgress;
}
export interface StreamProgress {
  update(done: number, of: number, note: string): void;
  end(note: string): void;
}

const WIDTH = 24;

function eta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function createProgress(out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean }, totalSteps: number): Progress {
  const tty = Boolean(out.isTTY);
  const started = performance.now();
  let stepsDone = 0;
  return {
    stream(index, total, title) {
      const streamStarted = performance.now();
      let last = -1;
      let prevDone = 0;
      const label = `stream ${index + 1}/${total} ${title.slice(0, 28).padEnd(28)}`;
      return {
        update(done, of, note) {
          stepsDone += done - prevDone;
          prevDone = done;
          const share = of ? done / of : 1;
          const elapsed = performance.now() - streamStarted;
          const streamEta = done ? (elapsed / done) * (of - done) : NaN;
          const runEta = stepsDone ? ((performance.now() - started) / stepsDone) * (totalSteps - stepsDone) : NaN;
          const line = `${label} ${bar(share)} ${String(Math.floor(share * 100)).padStart(3)}%  ETA ${eta(streamEta)} (run ${eta(runEta)})  ${note}`;
          if (tty) out.write(`\r${line}\x1b[K`);
          else {
            const quarter = Math.floor(share * 4);
            if (quarter > last) {
              last = quarter;
              out.write(`${line}\n`);
            }
          }
        },
        end(note) {
          const line = `${label} ${bar(1)} 100%  ${eta(performance.now() - streamStarted)}  ${note}`;
          out.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
        },
      };
    },
  };
}

function bar(share: number): string {
  const n = Math.round(Math.min(1, Math.max(0, share)) * WIDTH);
  return `[${'#'.repeat(n)}${'.'.repeat(WIDTH - n)}]`;
}

/** A progress that prints nothing (the tests). */
export const silentProgress: Progress = { stream: () => ({ update: () => undefined, end: () => undefined }) };
