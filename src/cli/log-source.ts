/**
 * Where replay and export read the log from: a file written by `jetkube export`, or the
 * live REGISTRY stream on a NATS server. Either way, the entries in order, with a total
 * for the progress bar when it is known.
 */
import type { LogEntry } from '../store/log-entry.ts';
import { readLogFile } from '../store/log-file.ts';
import { connectNats, drainNats } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';

export interface LogSource {
  entries: AsyncIterable<LogEntry>;
  /** How many entries to expect, when known up front. */
  total?: number;
  describe: string;
  close(): Promise<void>;
}

export async function openLogSource(options: { file?: string; natsUrl: string; fromSeq?: number; toSeq?: number }): Promise<LogSource> {
  const from = options.fromSeq ?? 1;
  if (options.file) {
    const to = options.toSeq ?? Number.POSITIVE_INFINITY;
    const file = options.file;
    async function* inRange() {
      for await (const entry of readLogFile(file)) {
        if (entry.seq > to) break;
        if (entry.seq >= from) yield entry;
      }
    }
    return { entries: inRange(), describe: file, close: async () => {} };
  }
  const nc = await connectNats(options.natsUrl, 'jetkube-replay');
  const log = new RegistryLog(nc);
  const bounds = await log.bounds();
  const fromSeq = Math.max(from, bounds.firstSeq);
  const toSeq = Math.min(options.toSeq ?? bounds.lastSeq, bounds.lastSeq);
  return {
    entries: log.read({ fromSeq, toSeq }),
    total: Math.max(0, toSeq - fromSeq + 1),
    describe: `${options.natsUrl} (revisions ${bounds.firstSeq}..${bounds.lastSeq})`,
    close: () => drainNats(nc),
  };
}
