/**
 * Watch semantics as Kubernetes' watch cache has them, with no server: initial state,
 * replay from the ring, replay from an injected log reader with live changes buffered
 * meanwhile, 410 for a revision the log no longer has, 504 for one the store never
 * reaches, selector transitions (ADDED/DELETED), bookmarks, and a slow sink that is cut off.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Status } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { INITIAL_EVENTS_END_ANNOTATION, WatchCache, type HistoryRange, type WatchEvent } from '../../src/store/watch-cache.ts';

function pod(name: string, labels: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels } };
}

/** A log in memory: appends go to the array and to the store, as the real follower does. */
class Harness {
  readonly store = new ObjectStore();
  readonly log: LogEntry[] = [];
  readonly reads: HistoryRange[] = [];
  firstSeq = 1;
  gate: Promise<void> | undefined;
  readonly cache: WatchCache;

  constructor(options: { capacity?: number; maxBuffered?: number; tooLargeWaitMs?: number } = {}) {
    this.cache = new WatchCache(this.store, {
      ...options,
      readHistory: (range) => this.read(range),
      bounds: async () => ({ firstSeq: this.firstSeq, lastSeq: this.log.length }),
    });
  }

  write(type: LogEntry['type'], object: KubeObject, resource = 'pods'): LogEntry {
    const seq = this.log.length + 1;
    const stamped = { ...object, metadata: { ...object.metadata, resourceVersion: String(seq) } };
    const entry: LogEntry = { seq, type, object: stamped, key: { resource, namespace: object.metadata.namespace ?? '', name: object.metadata.name! }, time: seq };
    this.log.push(entry);
    this.store.apply(entry);
    return entry;
  }

  private async *read(range: HistoryRange): AsyncIterable<LogEntry> {
    this.reads.push(range);
    if (this.gate) await this.gate;
    for (const entry of this.log) {
      if (entry.seq < range.fromSeq || entry.seq > range.toSeq) continue;
      if (entry.key.resource !== range.filter.resource) continue;
      if (range.filter.namespace !== undefined && entry.key.namespace !== range.filter.namespace) continue;
      yield entry;
    }
  }
}

function collector() {
  const events: WatchEvent[] = [];
  return {
    events,
    sink: (event: WatchEvent) => {
      events.push(event);
    },
    summary: () => events.map((e) => (e.type === 'ERROR' ? `ERROR ${e.object.code}` : `${e.type} ${e.object.metadata.name ?? ''}@${e.object.metadata.resourceVersion}`)),
  };
}

async function until(condition: () => boolean, what: string, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('WatchCache: where a watch starts', () => {
  it('resourceVersion unset or "0": synthetic ADDED for the current objects, then live', () => {
    for (const resourceVersion of [undefined, '0']) {
      const h = new Harness();
      h.write('ADDED', pod('b'));
      h.write('ADDED', pod('a'));
      h.write('ADDED', pod('x'), 'services');
      h.write('DELETED', pod('b'));
      const c = collector();
      h.cache.watch({ resource: 'pods', resourceVersion }, c.sink);
      h.write('MODIFIED', pod('a', { v: '2' }));
      assert.deepEqual(c.summary(), ['ADDED a@2', 'MODIFIED a@5']);
    }
  });

  it('sendInitialEvents=false watches from now; =true ends the initial events with an annotated BOOKMARK', () => {
    const h = new Harness();
    h.write('ADDED', pod('a'));
    const live = collector();
    h.cache.watch({ resource: 'pods', sendInitialEvents: false }, live.sink);
    const streaming = collector();
    h.cache.watch({ resource: 'pods', sendInitialEvents: true, apiVersion: 'v1', kind: 'Pod' }, streaming.sink);
    h.write('ADDED', pod('b'));
    assert.deepEqual(live.summary(), ['ADDED b@2']);
    assert.deepEqual(streaming.summary(), ['ADDED a@1', 'BOOKMARK @1', 'ADDED b@2']);
    const bookmark = streaming.events[1]!;
    assert.equal(bookmark.object.kind, 'Pod');
    assert.equal((bookmark.object as KubeObject).metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION], 'true');
  });

  it('resourceVersion N inside the ring: every change after N, in order, then live, without reading the log', () => {
    const h = new Harness({ capacity: 100 });
    h.write('ADDED', pod('a'));
    h.write('ADDED', pod('b'));
    h.write('ADDED', pod('s'), 'services');
    h.write('MODIFIED', pod('a', { v: '1' }));
    h.write('DELETED', pod('b'));
    const c = collector();
    h.cache.watch({ resource: 'pods', resourceVersion: '1' }, c.sink);
    h.write('ADDED', pod('c'));
    assert.deepEqual(c.summary(), ['ADDED b@2', 'MODIFIED a@4', 'DELETED b@5', 'ADDED c@6']);
    assert.equal(h.reads.length, 0);
    const same = collector();
    h.cache.watch({ resource: 'pods', resourceVersion: String(h.store.revision) }, same.sink);
    assert.deepEqual(same.summary(), [], 'at the current revision there is nothing to replay');
  });

  it('resourceVersion N older than the ring: from the log, live changes buffered meanwhile, no gap, no duplicate', async () => {
    const h = new Harness({ capacity: 2 });
    for (const name of ['a', 'b', 'c', 'd']) h.write('ADDED', pod(name));
    h.write('ADDED', pod('other', {}, 'kube-system'));
    let open!: () => void;
    h.gate = new Promise((resolve) => {
      open = resolve;
    });
    const c = collector();
    h.cache.watch({ resource: 'pods', namespace: 'default', resourceVersion: '1' }, c.sink);
    await until(() => h.reads.length === 1, 'the history read');
    assert.deepEqual(h.reads[0], { fromSeq: 2, toSeq: 5, filter: { resource: 'pods', namespace: 'default' } });
    h.write('MODIFIED', pod('a', { v: '2' }));
    h.write('ADDED', pod('e'));
    assert.deepEqual(c.summary(), [], 'nothing before the history');
    open();
    await until(() => c.events.length === 5, 'five events');
    h.write('DELETED', pod('e'));
    assert.deepEqual(c.summary(), ['ADDED b@2', 'ADDED c@3', 'ADDED d@4', 'MODIFIED a@6', 'ADDED e@7', 'DELETED e@8']);
  });

  it('resourceVersion older than the log: ERROR 410 "too old resource version: N (first)"', async () => {
    const h = new Harness({ capacity: 1 });
    for (const name of ['a', 'b', 'c']) h.write('ADDED', pod(name));
    h.firstSeq = 3;
    const c = collector();
    const handle = h.cache.watch({ resource: 'pods', resourceVersion: '1' }, c.sink);
    await handle.done;
    const status = c.events[0]!.object as Status;
    assert.equal(c.events.length, 1);
    assert.equal(c.events[0]!.type, 'ERROR');
    assert.equal(status.code, 410);
    assert.equal(status.reason, 'Expired');
    assert.equal(status.message, 'too old resource version: 1 (3)');
    assert.equal(h.cache.watcherCount, 0);
  });

  it('without a log reader, a revision older than the ring is 410 too', async () => {
    const store = new ObjectStore();
    const cache = new WatchCache(store, { capacity: 1 });
    const h = new Harness();
    for (const e of [1, 2, 3]) store.apply({ ...h.write('ADDED', pod(`p${e}`)) });
    const c = collector();
    await cache.watch({ resource: 'pods', resourceVersion: '1' }, c.sink).done;
    assert.deepEqual(c.summary(), ['ERROR 410']);
  });

  it('resourceVersion ahead of the store: waits for it, or ends with 504 "Too large resource version"', async () => {
    const h = new Harness({ tooLargeWaitMs: 2_000 });
    h.write('ADDED', pod('a'));
    const c = collector();
    h.cache.watch({ resource: 'pods', resourceVersion: '2' }, c.sink);
    h.write('ADDED', pod('b'));
    h.write('ADDED', pod('c'));
    await until(() => c.events.length === 1, 'the event after 2');
    assert.deepEqual(c.summary(), ['ADDED c@3']);

    const quick = new Harness({ tooLargeWaitMs: 30 });
    const late = collector();
    await quick.cache.watch({ resource: 'pods', resourceVersion: '9' }, late.sink).done;
    const status = late.events[0]!.object as Status;
    assert.equal(late.events[0]!.type, 'ERROR');
    assert.equal(status.code, 504);
    assert.equal(status.reason, 'Timeout');
    assert.match(status.message!, /^Too large resource version: 9, current: 0/);
  });

  it('an unparsable resourceVersion is ERROR 400', async () => {
    const h = new Harness();
    const c = collector();
    await h.cache.watch({ resource: 'pods', resourceVersion: 'abc' }, c.sink).done;
    assert.deepEqual(c.summary(), ['ERROR 400']);
  });
});

describe('WatchCache: selectors', () => {
  const prod = (o: KubeObject) => o.metadata.labels?.env === 'prod';

  it('an object that starts matching is ADDED, one that stops is DELETED (previous content, new resourceVersion)', () => {
    const h = new Harness();
    const c = collector();
    h.cache.watch({ resource: 'pods', filter: prod }, c.sink);
    h.write('ADDED', pod('a', { env: 'dev' }));
    h.write('MODIFIED', pod('a', { env: 'prod' }));
    h.write('MODIFIED', pod('a', { env: 'prod', v: '2' }));
    h.write('MODIFIED', pod('a', { env: 'dev' }));
    h.write('MODIFIED', pod('a', { env: 'test' }));
    h.write('MODIFIED', pod('a', { env: 'prod' }));
    h.write('DELETED', pod('a', { env: 'prod' }));
    assert.deepEqual(c.summary(), ['ADDED a@2', 'MODIFIED a@3', 'DELETED a@4', 'ADDED a@6', 'DELETED a@7']);
    const stopped = c.events[2]!.object as KubeObject;
    assert.equal(stopped.metadata.labels?.env, 'prod', 'the DELETED event carries the object as it last matched');
  });

  it('replayed from the ring, transitions are judged with the exact previous object', () => {
    const h = new Harness();
    h.write('ADDED', pod('a', { env: 'prod' }));
    h.write('MODIFIED', pod('a', { env: 'dev' }));
    h.write('MODIFIED', pod('a', { env: 'dev', v: '3' }));
    const c = collector();
    h.cache.watch({ resource: 'pods', filter: prod, resourceVersion: '1' }, c.sink);
    assert.deepEqual(c.summary(), ['DELETED a@2']);
  });

  it('replayed from the log, a first change whose previous is unknown and that does not match is DELETED', async () => {
    const h = new Harness({ capacity: 1 });
    h.write('ADDED', pod('a', { env: 'prod' }));
    h.write('ADDED', pod('b', { env: 'dev' }));
    h.write('MODIFIED', pod('a', { env: 'dev' }));
    h.write('MODIFIED', pod('a', { env: 'prod' }));
    h.write('MODIFIED', pod('b', { env: 'test' }));
    h.write('ADDED', pod('c', { env: 'dev' }));
    const c = collector();
    h.cache.watch({ resource: 'pods', filter: prod, resourceVersion: '2' }, c.sink);
    await until(() => h.reads.length === 1 && c.events.length >= 3, 'history');
    h.write('MODIFIED', pod('c', { env: 'prod' }));
    assert.deepEqual(c.summary(), ['DELETED a@3', 'ADDED a@4', 'DELETED b@5', 'ADDED c@7']);
  });
});

describe('WatchCache: delivery', () => {
  it('BOOKMARK carries the store revision, only once the watch is live', () => {
    const h = new Harness();
    const c = collector();
    const handle = h.cache.watch({ resource: 'pods', apiVersion: 'v1', kind: 'Pod' }, c.sink);
    h.write('ADDED', pod('a'));
    h.write('ADDED', pod('s'), 'services');
    handle.bookmark();
    h.cache.bookmarkAll();
    assert.deepEqual(c.summary(), ['ADDED a@1', 'BOOKMARK @2', 'BOOKMARK @2']);
    assert.deepEqual(c.events[1]!.object, { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '2' } });
  });

  it('a slow sink is cut off with ERROR 410 once its buffer overflows; the store never waits for it', async () => {
    const h = new Harness({ maxBuffered: 3 });
    const events: WatchEvent[] = [];
    let release!: () => void;
    const sink = (event: WatchEvent) => {
      events.push(event);
      if (events.length === 1) return new Promise<void>((resolve) => (release = resolve));
    };
    const handle = h.cache.watch({ resource: 'pods' }, sink);
    for (let i = 0; i < 6; i++) h.write('ADDED', pod(`p${i}`));
    assert.equal(h.store.revision, 6, 'the writes went through');
    assert.equal(h.cache.watcherCount, 0, 'the watcher was dropped at once');
    assert.equal(events.length, 1);
    release();
    await handle.done;
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'ERROR']);
    assert.equal((events[1]!.object as Status).code, 410);
  });

  it('an async sink that keeps up gets every event in order', async () => {
    const h = new Harness({ maxBuffered: 100 });
    const names: string[] = [];
    h.cache.watch({ resource: 'pods' }, async (event) => {
      await new Promise((r) => setImmediate(r));
      names.push((event.object as KubeObject).metadata.name!);
    });
    for (let i = 0; i < 20; i++) h.write('ADDED', pod(`p${i}`));
    await until(() => names.length === 20, 'all events');
    assert.deepEqual(names, Array.from({ length: 20 }, (_, i) => `p${i}`));
  });

  it('a namespaced watch sees only its namespace; stop() ends it', async () => {
    const h = new Harness();
    const c = collector();
    const handle = h.cache.watch({ resource: 'pods', namespace: 'a' }, c.sink);
    h.write('ADDED', pod('x', {}, 'a'));
    h.write('ADDED', pod('y', {}, 'b'));
    handle.stop();
    await handle.done;
    h.write('ADDED', pod('z', {}, 'a'));
    assert.deepEqual(c.summary(), ['ADDED x@1']);
    assert.equal(h.cache.watcherCount, 0);
  });

  it('apply is idempotent, so feeding the cache by hand as well as by subscription delivers once', () => {
    const h = new Harness();
    const c = collector();
    h.cache.watch({ resource: 'pods' }, c.sink);
    const object = { ...pod('a'), metadata: { ...pod('a').metadata, resourceVersion: '1' } };
    const change = h.store.apply({ seq: 1, type: 'ADDED', object, key: { resource: 'pods', namespace: 'default', name: 'a' }, time: 1 });
    assert.ok(change);
    h.cache.apply(change);
    h.cache.apply(change);
    assert.deepEqual(c.summary(), ['ADDED a@1']);
  });

  it('changesSince answers from the ring, or undefined when it no longer reaches back', () => {
    const h = new Harness({ capacity: 3 });
    for (const name of ['a', 'b', 'c', 'd']) h.write('ADDED', pod(name));
    h.write('ADDED', pod('s'), 'services');
    assert.equal(h.cache.changesSince(1), undefined);
    assert.deepEqual(h.cache.changesSince(2, 'pods')!.map((c) => c.seq), [3, 4]);
    assert.deepEqual(h.cache.changesSince(3)!.map((c) => c.seq), [4, 5]);
    assert.equal(h.cache.oldestRevision, 2);
  });

  it('close ends every watch', async () => {
    const h = new Harness();
    const handles = [h.cache.watch({ resource: 'pods' }, () => {}), h.cache.watch({ resource: 'nodes' }, () => {})];
    h.cache.close();
    await Promise.all(handles.map((w) => w.done));
    assert.equal(h.cache.watcherCount, 0);
  });
});
