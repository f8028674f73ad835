/**
 * Progress of long work (replays, exports, imports) on stderr: a bar redrawn in place, with
 * the count and the rate, and a closing line with count, time and rate. Only on a
 * terminal, or when asked for (--progress: then a line every few seconds when stderr is
 * not a terminal, for CI logs); otherwise silent, so scripts' stderr stays clean. Work
 * that ends within a second shows nothing.
 *
 * The fraction done is count/total when the total is known in the same unit, or given
 * explicitly (a file read: bytes read of its size, while the count is in events).
 */
export interface Progress {
  update(done: number, fraction?: number): void;
  finish(done: number): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Show it even when the stream is not a terminal. */
  force?: boolean;
  /** Name of what is counted (default "events"). */
  unit?: string;
  /** The clock (ms), for tests. */
  now?: () => number;
}

export function progress(label: string, total: number | undefined, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const unit = options.unit ?? 'events';
  const interactive = stream.isTTY === true;
  const enabled = interactive || options.force === true;
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  const every = interactive ? 200 : 5_000;
  const rate = (done: number) => Math.round(done / Math.max((now() - started) / 1000, 0.001));
  const n = (v: number) => v.toLocaleString('en-US');
  const line = (done: number, fraction?: number) => {
    const f = fraction ?? (total ? done / total : undefined);
    if (f === undefined) return `${label}: ${n(done)} ${unit} (${n(rate(done))}/s)`;
    const clamped = Math.min(Math.max(f, 0), 1);
    const width = 30;
    const filled = Math.round(clamped * width);
    const count = total && fraction === undefined ? `${n(done)}/${n(total)}` : n(done);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(clamped * 100)}% ${count} ${unit} (${n(rate(done))}/s)`;
  };
  return {
    update(done, fraction) {
      if (!enabled) return;
      const t = now();
      if (t - started < 1_000 || t - lastDraw < every) return;
      lastDraw = t;
      drawn = true;
      stream.write(interactive ? `\r${line(done, fraction)}\x1b[K` : `${line(done, fraction)}\n`);
    },
    finish(done) {
      if (!enabled || (!drawn && now() - started < 1_000)) return;
      const seconds = ((now() - started) / 1000).toFixed(1);
      stream.write(`${interactive ? '\r' : ''}${label}: ${n(done)} ${unit} in ${seconds} s (${n(rate(done))}/s)${interactive ? '\x1b[K' : ''}\n`);
    },
  };
}
