// A progress bar for long work, on stderr and only when stderr is a terminal: piped or redirected
// runs stay quiet (scripts and logs get no control characters).
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** Advances by `n` units (default 1). */
  tick(n?: number): void;
  /** Sets the total once it is known. */
  total(n: number): void;
  stop(): void;
}

const QUIET: Progress = { tick() {}, total() {}, stop() {} };

export function progress(label: string, total: number, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return QUIET;
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {value}/{total} {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  });
  bar.start(Math.max(total, 1), 0);
  let stopped = false;
  return {
    tick: (n = 1) => bar.increment(n),
    total: (n) => bar.setTotal(Math.max(n, 1)),
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
