/**
 * Where replay and export read the log from: a file written by `jetkube export`, or the
 * live REGISTRY stream on a NATS server, or a range of either. Either way, the entries in
 * order, and how far along the reading is (fraction(): entries of the known total for the
 * live log, bytes of the file's size for a file) for the progress bar.
 */
import type { LogEntry } from '../store/log-entry.ts';
import { readLogFile } from '../store/log-file.ts';
import { connectNats, drainNats } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';

export interface LogSource {
  entries: AsyncIterable<LogEntry>;
  /** How many entries to expect, when known up front. */
  total?: number;
  /** How much of the source has been read, 0..1, when known. */
  fraction(): number | undefined;
  describe: string;
  /** A file (damage after the point asked for is worth reading on to report). */
  isFile: boolean;
  close(): Promise<void>;
}

export async function openLogSource(options: { file?: string; natsUrl: string; fromSeq?: number; toSeq?: number }): Promise<LogSource> {
  const from = options.fromSeq ?? 1;
  if (options.file) {
    const to = options.toSeq ?? Number.POSITIVE_INFINITY;
    const file = options.file;
    let read = 0;
    let size = 0;
    async function* inRange() {
      for await (const entry of readLogFile(file, (bytesRead, totalBytes) => {
        read = bytesRead;
        size = totalBytes;
      })) {
        if (entry.seq > to) break;
        if (entry.seq >= from) yield entry;
      }
    }
    return { entries: inRange(), fraction: () => (size ? read / size : undefined), describe: file, isFile: true, close: async () => {} };
  }
  const nc = await connectNats(options.natsUrl, 'jetkube-replay');
  const log = new RegistryLog(nc);
  const bounds = await log.bounds();
  const fromSeq = Math.max(from, bounds.firstSeq);
  const toSeq = Math.min(options.toSeq ?? bounds.lastSeq, bounds.lastSeq);
  const total = Math.max(0, toSeq - fromSeq + 1);
  let last = fromSeq - 1;
  async function* counted() {
    if (total === 0) return;
    for await (const entry of log.read({ fromSeq, toSeq })) {
      last = entry.seq;
      yield entry;
    }
  }
  return {
    entries: counted(),
    total,
    fraction: () => (total ? (last - fromSeq + 1) / total : undefined),
    describe: `${options.natsUrl} (revisions ${bounds.firstSeq}..${bounds.lastSeq})`,
    isFile: false,
    close: () => drainNats(nc),
  };
}
