/**
 * ObjectStore: the materialized view of the log that the API server reads from.
 *
 * - apply takes entries in strictly increasing seq order; one at or below the revision
 *   was applied already and is ignored (so a follower may hand the same entry twice).
 *   Every per-object decision is evolveObject's; this class only indexes the results.
 * - Objects are indexed resource -> namespace -> name and held once: a list of one
 *   namespace touches only that namespace. Each name keeps the seq of its subject's last
 *   message even after a delete (subjectSeq: the expected last subject sequence of a
 *   create after delete) until pruneTombstones forgets it with the purged log prefix.
 * - list returns items sorted by namespace then name (as etcd's key order), together with
 *   the revision they are consistent at. Items are the stored objects: callers must not
 *   mutate them.
 * - waitForRevision is read-your-writes: it resolves once revision >= rev, or rejects
 *   with a 504 Timeout StatusError.
 * - onChange listeners run synchronously after each applied entry, in order. A throwing
 *   listener does not stop the others; apply rethrows its error after all have run.
 */
import { timeout } from '../api/errors.ts';
import type { KubeObject, ObjectKey, WatchEventType } from '../api/object.ts';
import { evolveObject, keyString, withResourceVersion, type StoreState } from './evolve.ts';
import { shareEmptyFieldLeaves } from './shared-leaves.ts';
import type { LogEntry } from './log-entry.ts';
import type { Snapshot, SnapshotSlot } from './snapshot.ts';

export interface StoreChange {
  type: WatchEventType;
  key: ObjectKey;
  /** The object after the change; for DELETED the tombstone (last state, resourceVersion = seq). */
  object: KubeObject;
  /** The object before the change, undefined if it did not exist. */
  previous: KubeObject | undefined;
  seq: number;
  time: number;
}

export interface ListResult {
  items: KubeObject[];
  revision: number;
}

export type ChangeListener = (change: StoreChange) => void;

interface Slot {
  object: KubeObject | undefined;
  /** A live object restored from a snapshot and not read yet: its msgpack, decoded on first read. */
  packed?: Uint8Array;
  /** The subject's last seq, tombstones included. */
  seq: number;
}

interface NamespaceIndex {
  slots: Map<string, Slot>;
  live: number;
  sortedNames: string[] | undefined;
}

interface ResourceIndex {
  namespaces: Map<string, NamespaceIndex>;
  live: number;
  sortedNamespaces: string[] | undefined;
}

interface Waiter {
  revision: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class ObjectStore {
  private readonly resourceIndex = new Map<string, ResourceIndex>();
  private readonly listeners = new Set<ChangeListener>();
  private waiters: Waiter[] = [];
  private rev = 0;
  private live = 0;
  private lastTime = 0;
  private unpack: ((packed: Uint8Array, seq: number) => KubeObject) | undefined;

  /** The seq of the last applied entry. */
  get revision(): number {
    return this.rev;
  }

  /** When the log stored the last applied entry (ms since the epoch; 0 before any). */
  get revisionTime(): number {
    return this.lastTime;
  }

  /** Live objects across all resources. */
  get size(): number {
    return this.live;
  }

  apply(entry: LogEntry): StoreChange | undefined {
    const seq = entry.seq;
    if (!Number.isSafeInteger(seq) || seq < 1) throw new Error(`log entry with invalid seq ${String(seq)}`);
    if (seq <= this.rev) return undefined;
    const { resource, namespace, name } = entry.key;
    const bucket = this.bucket(resource, namespace);
    let slot = bucket.slots.get(name);
    if (slot === undefined) {
      slot = { object: undefined, seq: 0 };
      bucket.slots.set(name, slot);
      bucket.sortedNames = undefined;
    }
    const previous = this.objectOf(slot);
    // The entry's object is the store's from here on: its empty field leaves become one shared {}.
    const next = evolveObject(previous, entry);
    if (next !== undefined) shareEmptyFieldLeaves(next);
    const delta = (next === undefined ? 0 : 1) - (previous === undefined ? 0 : 1);
    if (delta !== 0) {
      bucket.live += delta;
      this.resourceIndex.get(resource)!.live += delta;
      this.live += delta;
    }
    slot.object = next;
    slot.seq = seq;
    this.rev = seq;
    this.lastTime = entry.time;
    const change: StoreChange = {
      type: entry.type,
      key: entry.key,
      object: next ?? withResourceVersion(entry.object, seq),
      previous,
      seq,
      time: entry.time,
    };
    if (this.waiters.length > 0) this.wake();
    if (this.listeners.size > 0) this.notify(change);
    return change;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const slot = this.resourceIndex.get(resource)?.namespaces.get(namespace)?.slots.get(name);
    return slot === undefined ? undefined : this.objectOf(slot);
  }

  list(resource: string, namespace?: string): ListResult {
    const index = this.resourceIndex.get(resource);
    const items: KubeObject[] = [];
    if (index !== undefined) {
      if (namespace !== undefined) {
        const bucket = index.namespaces.get(namespace);
        if (bucket !== undefined) this.collect(bucket, items);
      } else {
        index.sortedNamespaces ??= [...index.namespaces.keys()].sort(compareStrings);
        for (const ns of index.sortedNamespaces) this.collect(index.namespaces.get(ns)!, items);
      }
    }
    return { items, revision: this.rev };
  }

  /** The seq of the subject's last message, tombstones included; 0 when it has none. */
  subjectSeq(key: ObjectKey): number {
    return this.resourceIndex.get(key.resource)?.namespaces.get(key.namespace)?.slots.get(key.name)?.seq ?? 0;
  }

  count(resource: string, namespace?: string): number {
    const index = this.resourceIndex.get(resource);
    if (index === undefined) return 0;
    if (namespace === undefined) return index.live;
    return index.namespaces.get(namespace)?.live ?? 0;
  }

  /** Live objects per resource (resources with none left are omitted). */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [resource, index] of this.resourceIndex) if (index.live > 0) counts[resource] = index.live;
    return counts;
  }

  /** Resources that have live objects, sorted. */
  resources(): string[] {
    return [...this.resourceIndex].filter(([, index]) => index.live > 0).map(([resource]) => resource).sort(compareStrings);
  }

  /** Namespaces of a resource that have live objects, sorted. */
  namespaces(resource: string): string[] {
    const index = this.resourceIndex.get(resource);
    if (index === undefined) return [];
    index.sortedNamespaces ??= [...index.namespaces.keys()].sort(compareStrings);
    return index.sortedNamespaces.filter((ns) => index.namespaces.get(ns)!.live > 0);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  waitForRevision(revision: number, timeoutMs: number): Promise<void> {
    if (this.rev >= revision) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { revision, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          timeout(`Too large resource version: ${revision}, current: ${this.rev}: the store did not reach it within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      // Keep waiters sorted by revision so wake() only looks at the front.
      let at = this.waiters.length;
      while (at > 0 && this.waiters[at - 1]!.revision > revision) at--;
      this.waiters.splice(at, 0, waiter);
    });
  }

  /**
   * Forget the subject sequences of objects deleted before `seq`: after the log's prefix
   * up to seq-1 is purged, those subjects have no message and a create expects 0 again.
   */
  pruneTombstones(seq: number): number {
    let pruned = 0;
    for (const index of this.resourceIndex.values()) {
      for (const bucket of index.namespaces.values()) {
        for (const [name, slot] of bucket.slots) {
          if (slot.object === undefined && slot.packed === undefined && slot.seq < seq) {
            bucket.slots.delete(name);
            bucket.sortedNames = undefined;
            pruned++;
          }
        }
      }
    }
    return pruned;
  }

  /**
   * Start from a snapshot instead of an empty store (then apply the log after its revision).
   * Only an empty store may be restored: a store that applied entries already is a replay in progress.
   */
  restore(
    slots: Iterable<readonly [string, string, string, number, KubeObject | Uint8Array | null]>,
    revision: number,
    time = 0,
    unpack?: (packed: Uint8Array, seq: number) => KubeObject,
  ): void {
    if (this.rev !== 0 || this.resourceIndex.size !== 0) throw new Error('restore needs an empty store');
    this.unpack = unpack;
    for (const [resource, namespace, name, seq, object] of slots) {
      const bucket = this.bucket(resource, namespace);
      const packed = object instanceof Uint8Array;
      if (packed && !unpack) throw new Error('restore of packed objects needs an unpack function');
      bucket.slots.set(name, packed ? { object: undefined, packed: object, seq } : { object: object ?? undefined, seq });
      if (object) {
        bucket.live++;
        this.resourceIndex.get(resource)!.live++;
        this.live++;
      }
    }
    this.rev = revision;
    this.lastTime = time;
  }

  /**
   * The snapshot of the store now, captured in one synchronous pass (stored objects are
   * never mutated, so the slots are a consistent cut). Built from the index directly:
   * snapshotOfState(toState()) made two maps and a key string per object and split them
   * again, a stall of the API server's event loop at 100,000 objects. Equal to it.
   */
  snapshot(): Snapshot {
    const slots: SnapshotSlot[] = [];
    let live = 0;
    for (const [resource, index] of this.resourceIndex) {
      for (const [namespace, bucket] of index.namespaces) {
        for (const [name, slot] of bucket.slots) {
          const object = this.objectOf(slot) ?? null;
          if (object) live++;
          slots.push([resource, namespace, name, slot.seq, object]);
        }
      }
    }
    return { header: { format: 1, revision: this.rev, time: this.lastTime, slots: slots.length, live }, slots };
  }

  /** The whole state as evolve's immutable value (copies: for tests, not hot paths). */
  toState(): StoreState {
    const objects = new Map<string, KubeObject>();
    const subjectSeq = new Map<string, number>();
    for (const [resource, index] of this.resourceIndex) {
      for (const [namespace, bucket] of index.namespaces) {
        for (const [name, slot] of bucket.slots) {
          const id = keyString({ resource, namespace, name });
          const object = this.objectOf(slot);
          if (object !== undefined) objects.set(id, object);
          subjectSeq.set(id, slot.seq);
        }
      }
    }
    return { revision: this.rev, objects, subjectSeq };
  }

  /** The slot's object, decoding a packed one once (start-up stays cheap; the first read pays). */
  private objectOf(slot: Slot): KubeObject | undefined {
    if (slot.packed !== undefined) {
      slot.object = shareEmptyFieldLeaves(this.unpack!(slot.packed, slot.seq));
      slot.packed = undefined;
    }
    return slot.object;
  }

  private collect(bucket: NamespaceIndex, into: KubeObject[]): void {
    if (bucket.live === 0) return;
    bucket.sortedNames ??= [...bucket.slots.keys()].sort(compareStrings);
    for (const name of bucket.sortedNames) {
      const object = this.objectOf(bucket.slots.get(name)!);
      if (object !== undefined) into.push(object);
    }
  }

  private bucket(resource: string, namespace: string): NamespaceIndex {
    let index = this.resourceIndex.get(resource);
    if (index === undefined) {
      index = { namespaces: new Map(), live: 0, sortedNamespaces: undefined };
      this.resourceIndex.set(resource, index);
    }
    let bucket = index.namespaces.get(namespace);
    if (bucket === undefined) {
      bucket = { slots: new Map(), live: 0, sortedNames: undefined };
      index.namespaces.set(namespace, bucket);
      index.sortedNamespaces = undefined;
    }
    return bucket;
  }

  private notify(change: StoreChange): void {
    let failure: unknown;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  private wake(): void {
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.revision <= this.rev) n++;
    if (n === 0) return;
    const ready = this.waiters.splice(0, n);
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
