/**
 * WatchCache: Kubernetes watches served from the ObjectStore, as kube-apiserver's watch
 * cache serves them. It keeps a ring of the most recent changes (default 10,000) and
 * does no I/O of its own: history older than the ring comes from an injected reader
 * (RegistryLog.read fits).
 *
 * Semantics of watch({ resourceVersion }):
 * - unset or "0": synthetic ADDED for every matching object now, then live changes
 *   (sendInitialEvents=false: live only; =true: the ADDED events end with a BOOKMARK
 *   annotated k8s.io/initial-events-end, as a streaming list does).
 * - "N": every change with seq > N, in order, exactly once: from the ring when N is inside
 *   it, else from the log while live changes are buffered, then the buffer, then live.
 *   N below the log's first seq - 1: ERROR 410 Expired "too old resource version: N (first)".
 *   N above the store's revision: wait up to 3 s for the store, else ERROR 504 Timeout
 *   "Too large resource version".
 * - filter (label/field selectors) is judged on both the new and the previous object:
 *   starting to match is ADDED, stopping is DELETED (the previous object at the change's
 *   resourceVersion), as the cacher does. Replayed from the log, a key's first change has
 *   no known previous object: one that does not match is sent as DELETED (harmless for a
 *   client that never had it, required for one that had).
 * - A sink may return a promise (e.g. until an HTTP socket drains); events queue meanwhile,
 *   up to maxBuffered. Beyond that the watch ends with ERROR 410 Expired so the client
 *   re-lists: a slow client never holds the store back.
 * - An ERROR event is always the last one; `done` resolves when a watch has ended.
 * - Watches with a trigger (a kubelet's pods watch: spec.nodeName=<node>) are indexed by its
 *   value, so a change costs O(watchers of its node), not O(all watchers) (the cacher's
 *   trigger functions); their filter still decides.
 */
import { StatusError, expired, toStatusError, type Status } from '../api/errors.ts';
import { parseResourceVersion } from '../api/resource-version.ts';
import type { KubeObject } from '../api/object.ts';
import { keyString, withResourceVersion } from './evolve.ts';
import type { LogEntry } from './log-entry.ts';
import type { ObjectStore, StoreChange } from './object-store.ts';
import { triggerFieldValue, type WatchTrigger } from './watch-trigger.ts';

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject }
  | { type: 'ERROR'; object: Status };

export type WatchSink = (event: WatchEvent) => void | Promise<void>;

export interface WatchOptions {
  resource: string;
  namespace?: string;
  resourceVersion?: string;
  filter?: (object: KubeObject) => boolean;
  /**
   * A field value `filter` requires (it rejects every object with another value): live
   * changes are then offered to this watch only if the object has it now or had it before.
   */
  trigger?: WatchTrigger;
  sendInitialEvents?: boolean;
  /** apiVersion and kind of BOOKMARK objects (Kubernetes sends an object of the watched kind). */
  apiVersion?: string;
  kind?: string;
}

export interface WatchHandle {
  stop(): void;
  /** Send a BOOKMARK at the store's revision (only once the watch is live). */
  bookmark(): void;
  /** Resolves when the watch has ended, however it ended. */
  readonly done: Promise<void>;
}

export interface HistoryRange {
  fromSeq: number;
  toSeq: number;
  filter: { resource: string; namespace?: string };
}

export interface WatchCacheOptions {
  /** How many recent changes the ring keeps. */
  capacity?: number;
  /** Events that may wait for one slow sink before its watch is ended. */
  maxBuffered?: number;
  /** How long a watch from a resourceVersion ahead of the store waits for it. */
  tooLargeWaitMs?: number;
  readHistory?: (range: HistoryRange) => AsyncIterable<LogEntry>;
  bounds?: () => Promise<{ firstSeq: number; lastSeq: number }>;
}

export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

type Filter = (object: KubeObject) => boolean;

/** The event a watcher with `filter` sees for one change, or undefined if none (the cacher's rule). */
export function watchEventFor(
  type: StoreChange['type'],
  object: KubeObject,
  previous: KubeObject | undefined,
  seq: number,
  filter: Filter | undefined,
): WatchEvent | undefined {
  if (!filter) return { type, object };
  const now = type !== 'DELETED' && filter(object);
  const before = previous !== undefined && filter(previous);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object };
  if (!before) return undefined;
  return { type: 'DELETED', object: type === 'DELETED' ? object : withResourceVersion(previous!, seq) };
}

export class WatchCache {
  private readonly capacity: number;
  private readonly maxBuffered: number;
  private readonly tooLargeWaitMs: number;
  private readonly ring: (StoreChange | undefined)[];
  private ringHead = 0;
  private ringSize = 0;
  /** The ring holds every change with seq in (floor, lastSeq]. */
  private floor: number;
  private lastSeq: number;
  /** Watchers without a trigger, by resource: offered every change of it. */
  private readonly untriggered = new Map<string, Set<Watcher>>();
  /** Watchers with a trigger, by resource and required value: offered only changes of objects with that value. */
  private readonly triggered = new Map<string, Map<string, Set<Watcher>>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: WatchCacheOptions = {},
  ) {
    this.capacity = Math.max(1, options.capacity ?? 10_000);
    this.maxBuffered = Math.max(1, options.maxBuffered ?? 10_000);
    this.tooLargeWaitMs = options.tooLargeWaitMs ?? 3_000;
    this.ring = new Array(this.capacity);
    this.floor = store.revision;
    this.lastSeq = store.revision;
    this.unsubscribe = store.onChange((change) => this.apply(change));
  }

  /** The oldest resourceVersion a watch can start from without reading the log. */
  get oldestRevision(): number {
    return this.floor;
  }

  get watcherCount(): number {
    let n = 0;
    for (const set of this.watcherSets()) n += set.size;
    return n;
  }

  /**
   * Take one change from the store. The cache subscribes to the store itself; calling this
   * too is harmless (a change at or below the last one seen is ignored).
   */
  apply(change: StoreChange | undefined): void {
    if (change === undefined || change.seq <= this.lastSeq) return;
    this.lastSeq = change.seq;
    if (this.ringSize === this.capacity) {
      this.floor = this.ring[this.ringHead]!.seq;
      this.ring[this.ringHead] = change;
      this.ringHead = (this.ringHead + 1) % this.capacity;
    } else {
      this.ring[(this.ringHead + this.ringSize) % this.capacity] = change;
      this.ringSize++;
    }
    const resource = change.key.resource;
    const everything = this.untriggered.get(resource);
    if (everything !== undefined) for (const watcher of everything) watcher.offer(change);
    const byValue = this.triggered.get(resource);
    if (byValue === undefined) return;
    // A watcher whose value the object has neither now nor before would see no event for it.
    const now = triggerFieldValue(change.object);
    const nowWatchers = byValue.get(now);
    if (nowWatchers !== undefined) for (const watcher of nowWatchers) watcher.offer(change);
    if (change.previous === undefined) return;
    const before = triggerFieldValue(change.previous);
    if (before === now) return;
    const beforeWatchers = byValue.get(before);
    if (beforeWatchers !== undefined) for (const watcher of beforeWatchers) watcher.offer(change);
  }

  /** The ring's changes after `revision` (oldest first), or undefined if the ring no longer reaches back that far. */
  changesSince(revision: number, resource?: string): StoreChange[] | undefined {
    if (revision < this.floor) return undefined;
    const out: StoreChange[] = [];
    for (let i = this.firstAfter(revision); i < this.ringSize; i++) {
      const change = this.ring[(this.ringHead + i) % this.capacity]!;
      if (resource === undefined || change.key.resource === resource) out.push(change);
    }
    return out;
  }

  watch(options: WatchOptions, sink: WatchSink): WatchHandle {
    const watcher = new Watcher(options, sink, this.maxBuffered, this.store, (w) => this.unregister(w));
    this.register(watcher);
    try {
      this.start(watcher, options);
    } catch (error) {
      watcher.fail(toStatusError(error));
    }
    return watcher.handle;
  }

  /** Bookmark every live watch (for a periodic timer of the API server). */
  bookmarkAll(): void {
    for (const set of this.watcherSets()) for (const watcher of set) watcher.bookmark();
  }

  /** End every watch and stop following the store. */
  close(): void {
    this.unsubscribe();
    for (const set of [...this.watcherSets()]) for (const watcher of [...set]) watcher.stop();
  }

  /** Every set of watchers, triggered or not. */
  private *watcherSets(): Iterable<Set<Watcher>> {
    yield* this.untriggered.values();
    for (const byValue of this.triggered.values()) yield* byValue.values();
  }

  private register(watcher: Watcher): void {
    const trigger = watcher.trigger;
    if (trigger === undefined) {
      setIn(this.untriggered, watcher.resource).add(watcher);
      return;
    }
    let byValue = this.triggered.get(watcher.resource);
    if (byValue === undefined) {
      byValue = new Map();
      this.triggered.set(watcher.resource, byValue);
    }
    setIn(byValue, trigger.value).add(watcher);
  }

  private unregister(watcher: Watcher): void {
    const trigger = watcher.trigger;
    if (trigger === undefined) {
      deleteIn(this.untriggered, watcher.resource, watcher);
      return;
    }
    const byValue = this.triggered.get(watcher.resource);
    if (byValue === undefined) return;
    deleteIn(byValue, trigger.value, watcher);
    if (byValue.size === 0) this.triggered.delete(watcher.resource);
  }

  private start(watcher: Watcher, options: WatchOptions): void {
    const rv = options.resourceVersion;
    if (rv === undefined || rv === '' || rv === '0') {
      if (options.sendInitialEvents === false) watcher.goLive(this.store.revision);
      else this.sendState(watcher, options.sendInitialEvents === true);
      return;
    }
    const from = parseResourceVersion(rv);
    if (from > this.store.revision) {
      const current = this.store.revision;
      this.store.waitForRevision(from, this.tooLargeWaitMs).then(
        () => {
          if (!watcher.finished) this.startFrom(watcher, options, from);
        },
        () =>
          watcher.fail(
            new StatusError(504, 'Timeout', `Too large resource version: ${from}, current: ${Math.max(current, this.store.revision)}`, {
              causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
              retryAfterSeconds: 1,
            }),
          ),
      );
      return;
    }
    this.startFrom(watcher, options, from);
  }

  private startFrom(watcher: Watcher, options: WatchOptions, from: number): void {
    // "Not older than N" with initial events: the current state is at least N.
    if (options.sendInitialEvents === true) return this.sendState(watcher, true);
    if (from >= this.floor) {
      for (let i = this.firstAfter(from); i < this.ringSize; i++) {
        watcher.offerReplay(this.ring[(this.ringHead + i) % this.capacity]!);
      }
      watcher.goLive(this.lastSeq);
      return;
    }
    void this.replayHistory(watcher, options, from).catch((error) => watcher.fail(toStatusError(error)));
  }

  private sendState(watcher: Watcher, endBookmark: boolean): void {
    const { items, revision } = this.store.list(watcher.resource, watcher.namespace);
    for (const object of items) if (!watcher.filter || watcher.filter(object)) watcher.emit({ type: 'ADDED', object });
    if (endBookmark) watcher.emitBookmark(revision, true);
    watcher.goLive(revision);
  }

  private async replayHistory(watcher: Watcher, options: WatchOptions, from: number): Promise<void> {
    const { readHistory, bounds } = this.options;
    if (!readHistory || !bounds) throw expired(`too old resource version: ${from} (${this.floor + 1})`);
    const { firstSeq } = await bounds();
    if (from < firstSeq - 1) throw expired(`too old resource version: ${from} (${firstSeq})`);
    const to = this.lastSeq;
    const filter = watcher.filter;
    // With a filter, a change's event depends on the object before it: remember what the read has seen.
    const seen = filter ? new Map<string, KubeObject | undefined>() : undefined;
    const range: HistoryRange = {
      fromSeq: from + 1,
      toSeq: to,
      filter: options.namespace === undefined ? { resource: options.resource } : { resource: options.resource, namespace: options.namespace },
    };
    for await (const entry of readHistory(range)) {
      if (watcher.finished) return;
      if (entry.seq > to) break;
      let event: WatchEvent | undefined;
      if (seen) {
        const id = keyString(entry.key);
        event = seen.has(id)
          ? watchEventFor(entry.type, entry.object, seen.get(id), entry.seq, filter)
          : firstSeenEvent(entry, filter!);
        seen.set(id, entry.type === 'DELETED' ? undefined : entry.object);
      } else {
        event = { type: entry.type, object: entry.object };
      }
      watcher.replayed(entry.seq, event);
      if (watcher.queued > this.maxBuffered / 2) await watcher.drained();
    }
    if (!watcher.finished) watcher.goLive(to);
  }

  /** Index (from the ring's oldest) of the first change with seq > revision. */
  private firstAfter(revision: number): number {
    let lo = 0;
    let hi = this.ringSize;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[(this.ringHead + mid) % this.capacity]!.seq <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The set under `key`, created if missing. */
function setIn<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

/** Removes `value` from the set under `key`, and the set once it is empty. */
function deleteIn<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/** A change read from the log whose previous object is unknown (it predates the read). */
function firstSeenEvent(entry: LogEntry, filter: Filter): WatchEvent | undefined {
  const matches = filter(entry.object);
  if (entry.type === 'MODIFIED') return { type: matches ? 'MODIFIED' : 'DELETED', object: entry.object };
  return matches ? { type: entry.type, object: entry.object } : undefined;
}

/** One watch: its position (cursor), its start-up buffer, and its delivery queue. */
class Watcher {
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly filter: Filter | undefined;
  readonly trigger: WatchTrigger | undefined;
  readonly handle: WatchHandle;
  ended = false;
  private live = false;
  /** The last seq this watch has covered. */
  private cursor = 0;
  /** Live changes that arrived while the watch was still replaying. */
  private pending: StoreChange[] = [];
  private queue: WatchEvent[] = [];
  private busy = false;
  private closing = false;
  private resolveDone!: () => void;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly options: WatchOptions,
    private readonly sink: WatchSink,
    private readonly maxBuffered: number,
    private readonly store: ObjectStore,
    private readonly onEnd: (w: Watcher) => void,
  ) {
    this.resource = options.resource;
    this.namespace = options.namespace;
    this.filter = options.filter;
    // Without a filter to reject other values, a trigger would hide changes the watch must see.
    this.trigger = options.filter === undefined ? undefined : options.trigger;
    const done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
    this.handle = { stop: () => this.stop(), bookmark: () => this.bookmark(), done };
  }

  get finished(): boolean {
    return this.ended || this.closing;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** A live change from the store. */
  offer(change: StoreChange): void {
    if (this.ended || this.closing) return;
    if (this.namespace !== undefined && change.key.namespace !== this.namespace) return;
    if (!this.live) {
      this.pending.push(change);
      if (this.pending.length > this.maxBuffered) this.overflow();
      return;
    }
    this.deliverChange(change);
  }

  /** A change from the ring during start-up. */
  offerReplay(change: StoreChange): void {
    if (change.key.resource !== this.resource) return;
    if (this.namespace !== undefined && change.key.namespace !== this.namespace) return;
    this.deliverChange(change);
  }

  /** An event computed from the log during start-up. */
  replayed(seq: number, event: WatchEvent | undefined): void {
    if (seq <= this.cursor) return;
    this.cursor = seq;
    if (event) this.emit(event);
  }

  goLive(revision: number): void {
    if (this.ended || this.closing) return;
    this.cursor = Math.max(this.cursor, revision);
    const pending = this.pending;
    this.pending = [];
    for (const change of pending) this.deliverChange(change);
    this.live = true;
  }

  bookmark(): void {
    if (!this.live || this.ended || this.closing) return;
    this.cursor = Math.max(this.cursor, this.store.revision);
    this.emitBookmark(this.cursor, false);
  }

  emitBookmark(revision: number, initialEventsEnd: boolean): void {
    const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
    this.emit({ type: 'BOOKMARK', object: { apiVersion: this.options.apiVersion ?? '', kind: this.options.kind ?? '', metadata } });
  }

  emit(event: WatchEvent): void {
    if (this.ended || this.closing) return;
    if (this.busy || this.queue.length > 0) {
      this.queue.push(event);
      if (this.queue.length > this.maxBuffered) this.overflow();
      return;
    }
    this.deliver(event);
  }

  /** End with an ERROR event (delivered after the event the sink is busy with, if any). */
  fail(error: StatusError): void {
    if (this.ended || this.closing) return;
    this.closing = true;
    this.onEnd(this);
    this.pending = [];
    this.queue = [{ type: 'ERROR', object: error.toStatus() }];
    if (!this.busy) this.drain();
  }

  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.closing = true;
    this.queue = [];
    this.pending = [];
    this.onEnd(this);
    this.resolveDone();
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  /** Resolves when the delivery queue is empty (or the watch ended). */
  drained(): Promise<void> {
    if (this.queue.length === 0 || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private deliverChange(change: StoreChange): void {
    if (change.seq <= this.cursor) return;
    this.cursor = change.seq;
    const event = watchEventFor(change.type, change.object, change.previous, change.seq, this.filter);
    if (event) this.emit(event);
  }

  private overflow(): void {
    this.fail(
      expired(`watch of ${this.resource} fell too far behind (more than ${this.maxBuffered} events waiting); list again and watch from there`),
    );
  }

  private deliver(event: WatchEvent): void {
    let result: void | Promise<void>;
    try {
      result = this.sink(event);
    } catch {
      this.stop();
      return;
    }
    if (event.type === 'ERROR') {
      this.stop();
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.busy = true;
      (result as Promise<void>).then(
        () => {
          this.busy = false;
          this.drain();
        },
        () => this.stop(),
      );
    }
  }

  private drain(): void {
    while (!this.busy && !this.ended && this.queue.length > 0) this.deliver(this.queue.shift()!);
    if (this.queue.length === 0) for (const wake of this.drainWaiters.splice(0)) wake();
  }
}
