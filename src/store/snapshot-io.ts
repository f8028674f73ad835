/**
 * Snapshots between the store and the snapshot bucket: load the newest usable one into an
 * empty ObjectStore at start-up, and write the store's state (on request, and
 * periodically while serving: snapshot-schedule.ts).
 *
 * - Usable: revision + 1 at or after the log's first whole revision (the stream's first
 *   sequence, or the compaction point when there is one) and not beyond the log's end (a
 *   snapshot of a log that was since emptied or replaced describes another history).
 * - A write captures the state synchronously (one consistent cut at store.revision, however
 *   many writes arrive meanwhile: stored objects are never mutated), then encodes frame by
 *   frame, each frame on a turn of the event loop of its own (oneTurnEach), so requests
 *   are served between frames.
 */
import type { CompactionPoint, SnapshotInfo } from '../../streams/snapshot-store.ts';
import type { Logger } from '../log.ts';
import type { SecretEncryption } from '../encryption/config.ts';
import { openedAtRest } from '../encryption/sealed-secret.ts';
import type { ObjectStore } from './object-store.ts';
import { decodeSnapshot, encodeSnapshotFrames, unpackObject } from './snapshot.ts';
import { nextSnapshotDue, recentSnapshotExists, snapshotPeriod } from './snapshot-schedule.ts';

/** What this file needs of streams/snapshot-store.ts's SnapshotStore. */
export interface SnapshotBucket {
  list(): Promise<SnapshotInfo[]>;
  has(revision: number): Promise<boolean>;
  /** Stores the bytes, or the parts as they are made (never all held at once); returns the size stored. */
  put(revision: number, content: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<number>;
  get(revision: number): Promise<Uint8Array | undefined>;
  compaction(): Promise<CompactionPoint | undefined>;
}

export interface LoadedSnapshot {
  revision: number;
  objects: number;
  bytes: number;
  ms: number;
}

/** The first revision whose history the log holds whole. */
export function firstWholeRevision(firstSeq: number, compaction: CompactionPoint | undefined): number {
  return Math.max(firstSeq, compaction?.before ?? 1);
}

/** The newest snapshot the log continues, or undefined (then replay from the first sequence). */
export function usableSnapshot(snapshots: SnapshotInfo[], firstWhole: number, lastSeq: number): SnapshotInfo | undefined {
  let best: SnapshotInfo | undefined;
  for (const s of snapshots) if (s.revision + 1 >= firstWhole && s.revision <= lastSeq && (!best || s.revision > best.revision)) best = s;
  return best;
}

export async function loadNewestSnapshot(
  store: ObjectStore,
  bucket: SnapshotBucket,
  bounds: { firstSeq: number; lastSeq: number },
  logger?: Logger,
  /** Opens the Secrets the snapshot holds sealed (without it they stay withheld stand-ins). */
  encryption?: SecretEncryption,
): Promise<LoadedSnapshot | undefined> {
  const started = performance.now();
  const compaction = await bucket.compaction();
  const firstWhole = firstWholeRevision(bounds.firstSeq, compaction);
  const chosen = usableSnapshot(await bucket.list(), firstWhole, bounds.lastSeq);
  if (!chosen) {
    if (compaction && bounds.lastSeq >= compaction.before) {
      throw new Error(`the log is compacted before revision ${compaction.before} and no snapshot at or after revision ${compaction.before - 1} exists`);
    }
    return undefined;
  }
  const bytes = await bucket.get(chosen.revision);
  if (!bytes) return undefined;
  const snapshot = decodeSnapshot(bytes);
  const unpack = encryption ? (packed: Uint8Array, seq: number) => openedAtRest(unpackObject(packed, seq), encryption) : unpackObject;
  store.restore(snapshot.slots, snapshot.header.revision, snapshot.header.time, unpack);
  const loaded = { revision: snapshot.header.revision, objects: store.size, bytes: bytes.byteLength, ms: Math.round(performance.now() - started) };
  logger?.info(loaded, 'loaded a snapshot; replaying the log after it');
  return loaded;
}

/** Write the store as it is now; returns the revision written (an existing one is kept). */
export async function writeSnapshot(store: ObjectStore, bucket: SnapshotBucket, logger?: Logger, encryption?: SecretEncryption): Promise<number> {
  const snapshot = store.snapshot();
  const { revision } = snapshot.header;
  if (revision === 0) throw new Error('the store is empty: nothing to snapshot');
  if (await bucket.has(revision)) return revision;
  const started = performance.now();
  // Frames are encoded as the upload takes them: at 150,000 pods, encoding them all first
  // and joining them held 600 MB of short-lived buffers, and collecting those took more of
  // the API server's time than the encoding. Each frame on its own turn of the event loop:
  // taken as fast as the upload allows, a whole 1 MiB chunk's frames ran in one piece
  // (150,000 objects of 1 KB held the loop 1,154 ms on a free core; 16 ms this way).
  const bytes = await bucket.put(revision, oneTurnEach(encodeSnapshotFrames(snapshot, encryption)));
  logger?.info({ revision, objects: snapshot.header.live, bytes, ms: Math.round(performance.now() - started) }, 'wrote a snapshot');
  return revision;
}

/** The items of a lazy sequence, each made on a turn of the event loop of its own (after pending I/O and timers). */
export async function* oneTurnEach<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) {
    yield item;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Writes a snapshot periodically (snapshot-schedule.ts decides when: every `every`
 * revisions or more, as many as the store holds objects, unless another API server wrote
 * one lately), and whenever take() is called, one write at a time (a take() while one runs
 * is followed by one more write, at whatever revision the store has then).
 */
export function startSnapshotWriter(
  store: ObjectStore,
  bucket: SnapshotBucket,
  every: number,
  logger?: Logger,
  encryption?: SecretEncryption,
  random: () => number = Math.random,
): { stop(): void; take(): Promise<number> } {
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  const take = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = writeSnapshot(store, bucket, logger, encryption).finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        void take().catch((error: unknown) => logger?.error({ err: error }, 'writing a snapshot failed'));
      }
    });
    return running;
  };
  const dueAfter = (revision: number) => nextSnapshotDue(revision, snapshotPeriod(every, store.size), random());
  let nextAt = dueAfter(store.revision);
  const periodic = async () => {
    const period = snapshotPeriod(every, store.size);
    const newest = (await bucket.list()).at(-1)?.revision;
    if (recentSnapshotExists(newest, store.revision, period)) return (nextAt = dueAfter(newest!));
    nextAt = dueAfter(await take());
  };
  const unsubscribe = store.onChange((change) => {
    if (change.seq < nextAt || stopped) return;
    nextAt = Number.POSITIVE_INFINITY; // until periodic() has decided
    void periodic().catch((error: unknown) => {
      nextAt = dueAfter(store.revision);
      logger?.error({ err: error }, 'writing a snapshot failed');
    });
  });
  return {
    take,
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}

/** The error for a replay that asks for a revision whose state the compacted log no longer has. */
export function compactedError(at: number, compaction: CompactionPoint): Error | undefined {
  if (at >= compaction.snapshotRevision) return undefined;
  return new Error(
    `revision ${at} is before the compaction point: the log holds whole history from revision ${compaction.before} on, ` +
      `starting from the snapshot at revision ${compaction.snapshotRevision}; replay --at ${compaction.snapshotRevision} or later`,
  );
}
