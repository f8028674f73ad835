/**
 * Where a replay of the live log starts: the newest snapshot at or before the point asked
 * for, so `replay --at R` folds only the tail after it (and a compacted log, whose history
 * before the compaction point is gone, is replayed from the snapshot it rests on).
 *
 * - A snapshot is a candidate when the log continues it (usableSnapshot: its revision + 1
 *   at or after the first whole revision, and not beyond the log's end) and it is at or
 *   before the point: revision <= R; for a moment T, its entry's log time <= T (known once
 *   decoded; its write time, which comes after, rules out the newer ones first).
 * - No candidate: the log itself is whole from revision 1 (fold from the start), or it is
 *   not (compacted, or a stream that lost its head): then a clear error naming the
 *   earliest revision that can be replayed.
 */
import type { CompactionPoint, SnapshotInfo } from '../../streams/snapshot-store.ts';
import { firstWholeRevision } from '../store/snapshot-io.ts';
import { decodeSnapshot, type Snapshot } from '../store/snapshot.ts';
import { decodeSnapshotStream } from '../store/snapshot-stream.ts';
import { describePoint, type ReplayPoint } from './timeline.ts';

/** What this needs of streams/snapshot-store.ts's SnapshotStore. */
export interface SnapshotReader {
  list(): Promise<SnapshotInfo[]>;
  get(revision: number): Promise<Uint8Array | undefined>;
  /** The bytes as they download (SnapshotStore has it): decoded while they arrive. */
  stream?(revision: number): Promise<AsyncIterable<Uint8Array> | undefined>;
  compaction(): Promise<CompactionPoint | undefined>;
}

async function fetchSnapshot(reader: SnapshotReader, revision: number): Promise<Snapshot | undefined> {
  const stream = reader.stream ? await reader.stream(revision) : undefined;
  if (stream) return (await decodeSnapshotStream(stream)).snapshot;
  const bytes = await reader.get(revision);
  return bytes ? decodeSnapshot(bytes) : undefined;
}

export class BeforeHistoryError extends Error {
  constructor(
    message: string,
    /** The earliest revision whose state can be replayed (undefined: none). */
    readonly earliest: number | undefined,
  ) {
    super(message);
    this.name = 'BeforeHistoryError';
  }
}

/** Snapshots the replay may start from for this point, newest first (pure). */
export function snapshotCandidates(snapshots: SnapshotInfo[], firstWhole: number, lastSeq: number, point: ReplayPoint | undefined): SnapshotInfo[] {
  const upTo = point && 'revision' in point ? Math.min(point.revision, lastSeq) : lastSeq;
  const usable = snapshots.filter((s) => s.revision + 1 >= firstWhole && s.revision <= upTo).sort((a, b) => b.revision - a.revision);
  if (!point || !('time' in point)) return usable;
  // Written by then means taken by then; the oldest stays a candidate (a compacted log has no other start).
  const written = usable.filter((s) => !(Date.parse(s.mtime) > point.time));
  return written.length > 0 ? written : usable.slice(-1);
}

/**
 * The snapshot to start from (undefined: fold the log from its first entry), or a
 * BeforeHistoryError when the point is before everything the log and its snapshots hold.
 */
export async function snapshotBase(reader: SnapshotReader, bounds: { firstSeq: number; lastSeq: number }, point: ReplayPoint | undefined): Promise<Snapshot | undefined> {
  const compaction = await reader.compaction();
  const firstWhole = firstWholeRevision(bounds.firstSeq, compaction);
  const all = await reader.list();
  for (const candidate of snapshotCandidates(all, firstWhole, bounds.lastSeq, point)) {
    const snapshot = await fetchSnapshot(reader, candidate.revision);
    if (!snapshot) continue;
    if (point && 'time' in point && snapshot.header.time > point.time) continue;
    return snapshot;
  }
  if (firstWhole <= 1) return undefined;
  // The log alone is not whole: its history before firstWhole is gone.
  const earliest = all.filter((s) => s.revision + 1 >= firstWhole && s.revision <= bounds.lastSeq).at(0)?.revision;
  throw new BeforeHistoryError(beforeHistoryMessage(point, firstWhole, compaction, earliest), earliest);
}

function beforeHistoryMessage(point: ReplayPoint | undefined, firstWhole: number, compaction: CompactionPoint | undefined, earliest: number | undefined): string {
  const why = compaction
    ? `the log is compacted: it holds whole history from revision ${compaction.before} on, starting from the snapshot at revision ${compaction.snapshotRevision}`
    : `the log starts at revision ${firstWhole}: its history before it is gone`;
  const ask = earliest !== undefined ? `the earliest revision available is ${earliest}: replay --at ${earliest} or later` : 'no snapshot holds a state the log continues, so no revision can be replayed whole';
  return `${describePoint(point)} is before the history this log holds (${why}); ${ask}`;
}
