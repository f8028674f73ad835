/**
 * API server start-up from the newest usable snapshot plus the log after it, with the
 * three costs overlapped rather than paid one after another:
 * - the tail of the log is read from the snapshot's revision + 1 as soon as the snapshot
 *   is chosen (its revision is in its name), buffered (up to TAIL_BUFFER entries) while
 *   the snapshot downloads;
 * - the snapshot is decoded while it downloads (snapshot-stream.ts: frames inflated on the
 *   thread pool, objects left packed until first read);
 * - the tail buffered by then is folded into the snapshot's slots before the restore
 *   (foldTailIntoSlots: a subject's last entry replaces its slot, which is what evolve
 *   does, so the packed objects it replaces are never decoded), and the rest of the tail
 *   goes straight into the store.
 * Which snapshot is usable, and the error for a compacted log without one, are
 * snapshot-io.ts's (usableSnapshot, firstWholeRevision): the same rules as loadNewestSnapshot.
 */
import type { SecretEncryption } from '../encryption/config.ts';
import { openedAtRest } from '../encryption/sealed-secret.ts';
import type { Logger } from '../log.ts';
import { evolveObject } from './evolve.ts';
import type { LogEntry } from './log-entry.ts';
import type { ObjectStore } from './object-store.ts';
import { firstWholeRevision, usableSnapshot, type SnapshotBucket } from './snapshot-io.ts';
import { decodeSnapshotStream } from './snapshot-stream.ts';
import { decodeSnapshot, unpackObject, type Snapshot, type SnapshotSlot } from './snapshot.ts';

/** Tail entries held while the snapshot loads; past that the tail read waits (a bounded buffer). */
const TAIL_BUFFER = 50_000;

export interface StreamingSnapshotBucket extends SnapshotBucket {
  stream?(revision: number): Promise<AsyncIterable<Uint8Array> | undefined>;
}

export interface StartupOptions {
  logger?: Logger;
  /** Opens the Secrets the snapshot holds sealed, as loadNewestSnapshot does (without it they stay withheld stand-ins). */
  encryption?: SecretEncryption;
}

export interface Startup {
  /** The snapshot started from (undefined: the whole log was replayed). */
  snapshot?: { revision: number; bytes: number; loadMs: number };
  /** Tail entries applied after it. */
  tail: number;
  ms: number;
}

/**
 * Fill an empty store up to the log's end as it was at `bounds`: from the newest usable
 * snapshot and the tail after it (or from the log's first entry when there is no snapshot).
 * `readLog` reads the log from a seq to a seq (RegistryLog.read).
 */
export async function startFromSnapshot(
  store: ObjectStore,
  bucket: StreamingSnapshotBucket,
  readLog: (range: { fromSeq: number; toSeq: number }) => AsyncIterable<LogEntry>,
  bounds: { firstSeq: number; lastSeq: number },
  options: StartupOptions = {},
): Promise<Startup> {
  const started = performance.now();
  const [compaction, snapshots] = await Promise.all([bucket.compaction(), bucket.list()]);
  const chosen = usableSnapshot(snapshots, firstWholeRevision(bounds.firstSeq, compaction), bounds.lastSeq);
  if (!chosen && compaction && bounds.lastSeq >= compaction.before) {
    throw new Error(`the log is compacted before revision ${compaction.before} and no snapshot at or after revision ${compaction.before - 1} exists`);
  }
  const fromSeq = (chosen?.revision ?? 0) + 1;

  let restored = false;
  let abandoned = false;
  let signalRestored: () => void = () => {};
  const restoredNow = new Promise<void>((resolve) => (signalRestored = resolve));
  const buffered: LogEntry[] = [];
  let applied = 0;
  const tailRead = (async () => {
    if (fromSeq > bounds.lastSeq) return;
    for await (const entry of readLog({ fromSeq, toSeq: bounds.lastSeq })) {
      if (abandoned) return;
      if (restored) {
        store.apply(entry);
        applied++;
        continue;
      }
      buffered.push(entry);
      if (buffered.length >= TAIL_BUFFER) await restoredNow;
    }
  })();
  // Until the snapshot is in, a failed tail read is only reported after it.
  tailRead.catch(() => {});

  let snapshot: Startup['snapshot'];
  try {
    if (chosen) {
      const loadStarted = performance.now();
      const stream = bucket.stream ? await bucket.stream(chosen.revision) : undefined;
      let decoded;
      if (stream) decoded = await decodeSnapshotStream(stream);
      else {
        const bytes = await bucket.get(chosen.revision);
        if (bytes) decoded = { snapshot: decodeSnapshot(bytes), bytes: bytes.byteLength };
      }
      if (!decoded) throw new Error(`the snapshot at revision ${chosen.revision} vanished while starting`);
      const folded = foldTailIntoSlots(decoded.snapshot, buffered);
      applied += buffered.length;
      buffered.length = 0;
      const { encryption } = options;
      const unpack = encryption ? (packed: Uint8Array, seq: number) => openedAtRest(unpackObject(packed, seq), encryption) : unpackObject;
      store.restore(folded.slots, folded.revision, folded.time, unpack);
      snapshot = { revision: decoded.snapshot.header.revision, bytes: decoded.bytes, loadMs: Math.round(performance.now() - loadStarted) };
    }
  } catch (error) {
    // The tail read stops at its next entry instead of waiting for a restore that never comes.
    abandoned = true;
    signalRestored();
    throw error;
  }
  for (const entry of buffered) store.apply(entry);
  applied += buffered.length;
  buffered.length = 0;
  restored = true;
  signalRestored();
  await tailRead;
  const result: Startup = { ...(snapshot ? { snapshot } : {}), tail: applied, ms: Math.round(performance.now() - started) };
  options.logger?.info({ ...result, revision: store.revision, objects: store.size }, snapshot ? 'started from a snapshot and the log after it' : 'replayed the log (no usable snapshot)');
  return result;
}

/**
 * The snapshot with tail entries (after its revision, in log order) folded in: each
 * subject's last entry replaces its slot (live object, or null for a delete) or adds one.
 * evolve keeps no more than that per subject, so restoring these slots at the last
 * entry's revision is the store that applying the entries after a restore gives.
 */
export function foldTailIntoSlots(snapshot: Snapshot, entries: readonly LogEntry[]): { slots: SnapshotSlot[]; revision: number; time: number } {
  const { revision, time } = snapshot.header;
  if (entries.length === 0) return { slots: snapshot.slots, revision, time };
  // resource -> namespace -> name -> the subject's last entry (lookups allocate no key strings)
  const last = new Map<string, Map<string, Map<string, LogEntry>>>();
  let at = revision;
  let atTime = time;
  for (const entry of entries) {
    if (entry.seq <= at) continue;
    at = entry.seq;
    atTime = entry.time;
    const { resource, namespace, name } = entry.key;
    let byNamespace = last.get(resource);
    if (!byNamespace) last.set(resource, (byNamespace = new Map()));
    let byName = byNamespace.get(namespace);
    if (!byName) byNamespace.set(namespace, (byName = new Map()));
    byName.set(name, entry);
  }
  const slotOf = (entry: LogEntry): SnapshotSlot => [entry.key.resource, entry.key.namespace, entry.key.name, entry.seq, entry.type === 'DELETED' ? null : (evolveObject(undefined, entry) ?? null)];
  const slots = snapshot.slots.map((slot) => {
    const entry = last.get(slot[0])?.get(slot[1])?.get(slot[2]);
    if (!entry) return slot;
    last.get(slot[0])!.get(slot[1])!.delete(slot[2]);
    return slotOf(entry);
  });
  for (const byNamespace of last.values()) for (const byName of byNamespace.values()) for (const entry of byName.values()) slots.push(slotOf(entry));
  return { slots, revision: at, time: atTime };
}
