/**
 * When a serving API server writes its next periodic snapshot (pure; snapshot-io.ts acts on it).
 *
 * A snapshot encodes every object, so one every fixed number of revisions costs
 * O(objects) per period: quadratic as the store grows (at 30,000 pods a snapshot every
 * 10,000 revisions took 16% of each API server's CPU). Waiting at least as many revisions
 * as the store holds objects keeps the cost O(1) per write, however large the store.
 *
 * The API servers share one bucket. Each adds a random part of a quarter period, so they
 * rarely come due together, and one that finds in the bucket a snapshot less than half a
 * period old counts from that one instead of writing another.
 */

/** Revisions between two snapshots: at least `every`, and at least the live objects. */
export function snapshotPeriod(every: number, liveObjects: number): number {
  return Math.max(1, every, liveObjects);
}

/** The revision at which the next snapshot is due; `jitter` in [0, 1) spreads several servers apart. */
export function nextSnapshotDue(fromRevision: number, period: number, jitter: number): number {
  return fromRevision + period + Math.floor((period / 4) * Math.min(Math.max(jitter, 0), 0.999));
}

/** True when the bucket's newest snapshot is recent enough that another one now would be waste. */
export function recentSnapshotExists(newestInBucket: number | undefined, revision: number, period: number): boolean {
  return newestInBucket !== undefined && newestInBucket >= revision - period / 2;
}
