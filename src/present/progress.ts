/**
 * Progress of long work (replays, exports, imports) on stderr: a bar redrawn in place on
 * a terminal, a line every few seconds otherwise (CI logs), and a closing line with the
 * count, time and rate either way. Work that ends within a second shows nothing.
 */
export interface Progress {
  update(done: number): void;
  finish(done: number): void;
}

export function progress(label: string, total: number | undefined, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  const interactive = stream.isTTY === true;
  const every = interactive ? 200 : 5_000;
  const rate = (done: number) => Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
  const line = (done: number) => {
    if (!total) return `${label}: ${done.toLocaleString('en-US')} (${rate(done).toLocaleString('en-US')}/s)`;
    const fraction = Math.min(done / total, 1);
    const width = 30;
    const filled = Math.round(fraction * width);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${rate(done).toLocaleString('en-US')}/s)`;
  };
  return {
    update(done) {
      const now = Date.now();
      if (now - started < 1_000 || now - lastDraw < every) return;
      lastDraw = now;
      drawn = true;
      stream.write(interactive ? `\r${line(done)}` : `${line(done)}\n`);
    },
    finish(done) {
      if (!drawn && Date.now() - started < 1_000) return;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(`${interactive ? '\r' : ''}${label}: ${done.toLocaleString('en-US')} in ${seconds} s (${rate(done).toLocaleString('en-US')}/s)${interactive ? '\x1b[K' : ''}\n`);
    },
  };
}
