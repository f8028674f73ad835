/**
 * Where replay and export read the log from: a file written by `jetkube export`, or the
 * live REGISTRY stream on a NATS server, or a range of either. Either way, the entries in
 * order, and how far along the reading is (fraction(): entries of the known total for the
 * live log, bytes of the file's size for a file) for the progress bar.
 *
 * A reader of the state at a point (fromSnapshot: replay --at, --serve) of the live log
 * starts from the newest snapshot at or before it (src/replay/snapshot-base.ts): the
 * entries are the tail after `base`. That is also how a compacted log is replayed; a point
 * before the compaction point is a clear error naming the earliest revision available.
 * Readers of every change (history, why, controllers) read the log from its start, and
 * are told (compactedBefore) when history before a point is gone.
 */
import type { LogEntry } from '../store/log-entry.ts';
import { readLogFile } from '../store/log-file.ts';
import type { Snapshot } from '../store/snapshot.ts';
import { firstWholeRevision } from '../store/snapshot-io.ts';
import { snapshotBase } from '../replay/snapshot-base.ts';
import type { ReplayPoint } from '../replay/timeline.ts';
import { connectNats, drainNats } from '../../streams/connection.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { SnapshotStore } from '../../streams/snapshot-store.ts';

export interface LogSource {
  entries: AsyncIterable<LogEntry>;
  /** How many entries to expect, when known up front. */
  total?: number;
  /** How much of the source has been read, 0..1, when known. */
  fraction(): number | undefined;
  describe: string;
  /** A file (damage after the point asked for is worth reading on to report). */
  isFile: boolean;
  /** The snapshot the entries continue (they start after its revision). */
  base?: Snapshot;
  /** The live log's history before this revision is compacted away (the entries before it are partial). */
  compactedBefore?: number;
  close(): Promise<void>;
}

export interface LogSourceOptions {
  file?: string;
  natsUrl: string;
  fromSeq?: number;
  toSeq?: number;
  /** Start from the newest snapshot at or before this point (the live log only). */
  fromSnapshot?: { point: ReplayPoint | undefined };
}

export async function openLogSource(options: LogSourceOptions): Promise<LogSource> {
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
  let start;
  try {
    start = await liveStart(nc, options);
  } catch (error) {
    await drainNats(nc);
    throw error;
  }
  const { log, bounds, base, compactedBefore } = start;
  const fromSeq = Math.max(from, bounds.firstSeq, base ? base.header.revision + 1 : 0);
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
    describe: `${options.natsUrl} (revisions ${bounds.firstSeq}..${bounds.lastSeq}${base ? `, from the snapshot at revision ${base.header.revision}` : ''})`,
    isFile: false,
    ...(base ? { base } : {}),
    ...(compactedBefore !== undefined ? { compactedBefore } : {}),
    close: () => drainNats(nc),
  };
}

/** The live log's bounds, and the snapshot to start from when the reader wants one. */
async function liveStart(nc: Awaited<ReturnType<typeof connectNats>>, options: LogSourceOptions) {
  const log = new RegistryLog(nc);
  const bounds = await log.bounds();
  // No snapshot bucket to read (a user without access to it): the log alone, as it is.
  const snapshots = await SnapshotStore.open(nc).catch(() => undefined);
  const compaction = await snapshots?.compaction();
  const firstWhole = firstWholeRevision(bounds.firstSeq, compaction);
  const base = options.fromSnapshot && snapshots ? await snapshotBase(snapshots, bounds, options.fromSnapshot.point) : undefined;
  return { log, bounds, base, compactedBefore: firstWhole > 1 ? firstWhole : undefined };
}
