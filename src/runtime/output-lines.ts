/**
 * Splits a process's output into lines as they arrive, the way a CRI runtime writes its
 * log: each line is timestamped when read, a line longer than 16 KiB is cut into
 * pieces (CRI's partial lines), and a last line without a newline is flushed when the
 * stream ends. UTF-8 characters split across chunks are kept whole.
 */
import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE_LENGTH = 16 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly emit: (text: string, time: Date) => void) {}

  push(chunk: Buffer | string): void {
    const time = new Date();
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      this.emitLine(this.pending.slice(0, newline), time);
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
    while (this.pending.length >= MAX_LINE_LENGTH) {
      this.emit(this.pending.slice(0, MAX_LINE_LENGTH), time);
      this.pending = this.pending.slice(MAX_LINE_LENGTH);
    }
  }

  /** The stream ended: whatever is left is the last line. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.length > 0) this.emitLine(this.pending, new Date());
    this.pending = '';
  }

  private emitLine(line: string, time: Date): void {
    for (let start = 0; start < line.length; start += MAX_LINE_LENGTH) this.emit(line.slice(start, start + MAX_LINE_LENGTH), time);
    if (line.length === 0) this.emit('', time);
  }
}
