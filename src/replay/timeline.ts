/**
 * Folding a log up to a point: a revision, or a moment (the last revision whose log time
 * is at or before it). The same fold the API server runs (ObjectStore.apply over evolve),
 * so the store it ends with is what the API served at that revision.
 *
 * A damaged export file (LogFileError) is not the end of the story: its good prefix is
 * usable. A point inside the good part is reached, with the damage reported when the
 * reading met it (a fold stops at its point: damage further on is read, and reported,
 * only with verifyRest; every frame is checksummed, so what was read is sound either
 * way). A point past it (or "the newest", which a damaged file cannot know) is an error
 * naming the last good revision, so the caller can ask for it.
 */
import { LogFileError } from '../store/log-file.ts';
import type { LogEntry } from '../store/log-entry.ts';
import { ObjectStore, type StoreChange } from '../store/object-store.ts';
import { unpackObject, type Snapshot } from '../store/snapshot.ts';

export type ReplayPoint = { revision: number } | { time: number };

/** "1200" is a revision; "2026-11-25T18:00:00Z" (RFC 3339) a moment. */
export function parseReplayPoint(text: string): ReplayPoint {
  if (/^\d+$/.test(text)) return { revision: Number(text) };
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return { time };
  }
  throw new Error(`--at takes a revision number or an RFC 3339 time (2026-11-25T18:00:00Z), got "${text}"`);
}

export function describePoint(point: ReplayPoint | undefined): string {
  if (!point) return 'the newest revision';
  return 'revision' in point ? `revision ${point.revision}` : new Date(point.time).toISOString();
}

/** Whether an entry is past the point (the fold stops before it). */
export function isPast(entry: Pick<LogEntry, 'seq' | 'time'>, point: ReplayPoint | undefined): boolean {
  if (!point) return false;
  return 'revision' in point ? entry.seq > point.revision : entry.time > point.time;
}

export class DamagedLogError extends Error {
  constructor(
    readonly damage: LogFileError,
    readonly point: ReplayPoint | undefined,
  ) {
    super(
      `${damage.message}. ${describePoint(point)} is not in the good part: ask for --at ${damage.lastGoodSeq} (or earlier) to use it`,
    );
    this.name = 'DamagedLogError';
  }
}

export interface FoldResult {
  store: ObjectStore;
  /** The revision the store is at (0 when the point is before the first entry). */
  revision: number;
  /** The log time of that revision (0 when none). */
  time: number;
  /** Set when the file is damaged after the point: the state is whole, the file is not. */
  damage?: LogFileError;
}

export interface FoldOptions {
  /** Called for every entry applied, with the change it made. */
  onChange?: (change: StoreChange, entry: LogEntry) => void;
  /** Called for every entry read (progress). */
  onEntry?: (entry: LogEntry) => void;
  /**
   * Read on past the point to the end, so damage after it is found and reported
   * (a file source: a warning rather than silence). Default false.
   */
  verifyRest?: boolean;
  /** The snapshot the entries continue (they start after its revision): the fold starts from it. */
  base?: Snapshot;
}

/** Folds entries (in log order) until the point; on damage, see DamagedLogError. */
export async function foldTo(
  entries: AsyncIterable<LogEntry> | Iterable<LogEntry>,
  point: ReplayPoint | undefined,
  options: FoldOptions = {},
): Promise<FoldResult> {
  const store = new ObjectStore();
  if (options.base) store.restore(options.base.slots, options.base.header.revision, options.base.header.time, unpackObject);
  let reached = false;
  try {
    for await (const entry of entries) {
      options.onEntry?.(entry);
      if (reached) continue;
      if (isPast(entry, point)) {
        reached = true;
        if (!options.verifyRest) break;
        continue;
      }
      const change = store.apply(entry);
      if (change) options.onChange?.(change, entry);
    }
  } catch (error) {
    if (!(error instanceof LogFileError)) throw error;
    // The good part holds the point only if an entry past it was read before the damage.
    // A revision point is also held when the last good entry is that revision.
    const holds = reached || (point !== undefined && 'revision' in point && store.revision >= point.revision);
    if (!holds) throw new DamagedLogError(error, point);
    return { store, revision: store.revision, time: store.revisionTime, damage: error };
  }
  return { store, revision: store.revision, time: store.revisionTime };
}
