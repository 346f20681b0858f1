// A small progress reporter for the command-line tools (evaluate, import,
// train). On a terminal it redraws one bar in place; in a pipe, a log file or
// CI it prints a plain line at each quarter instead, so logs stay readable.
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream; // process.stderr by default
  // Plain lines instead of a redrawn bar; by default when the stream is not a TTY.
  plain?: boolean;
  now?: () => number; // milliseconds, for the elapsed time
  width?: number; // bar cells
}

export interface Progress {
  // fraction in [0, 1]; label says what is being done now.
  update(fraction: number, label?: string): void;
  done(summary?: string): void;
}

export function createProgress(title: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const plain = options.plain ?? !stream.isTTY;
  const now = options.now ?? (() => Date.now());
  const width = options.width ?? 24;
  const started = now();
  let lastDraw = -Infinity;
  let lastQuarter = -1;
  let finished = false;
  const elapsed = () => `${((now() - started) / 1000).toFixed(1)}s`;

  return {
    update(fraction, label = "") {
      if (finished) return;
      const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      const pct = Math.floor(f * 100);
      if (plain) {
        const quarter = Math.floor(f * 4);
        if (quarter > lastQuarter && quarter < 4) {
          lastQuarter = quarter;
          stream.write(`${title}: ${pct}%${label ? ` ${label}` : ""} (${elapsed()})\n`);
        }
        return;
      }
      const t = now();
      if (t - lastDraw < 80 && f < 1) return; // at most ~12 redraws a second
      lastDraw = t;
      const filled = Math.round(f * width);
      const line = `${title} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(pct).padStart(3)}% ${label} ${elapsed()}`;
      const columns = stream.columns ?? 100;
      stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length))}\x1b[K`);
    },
    done(summary = "") {
      if (finished) return;
      finished = true;
      const text = `${title}: done${summary ? ` ${summary}` : ""} (${elapsed()})`;
      stream.write(plain ? `${text}\n` : `\r${text}\x1b[K\n`);
    },
  };
}
