/**
 * The watch cache's trigger index: a pods watch triggered by spec.nodeName=<node> is offered
 * only changes of pods that are or were on its node, and sees exactly the events it would
 * see if every change were offered to every watcher (the filter still decides).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { matchesFields, parseFieldSelector } from '../../src/api/field-selectors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { ObjectStore, type StoreChange } from '../../src/store/object-store.ts';
import { WatchCache, watchEventFor, type WatchEvent, type WatchOptions } from '../../src/store/watch-cache.ts';
import { watchTriggerOf } from '../../src/store/watch-trigger.ts';

const PODS = { key: 'pods' };

function pod(name: string, nodeName: string | undefined): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: nodeName === undefined ? {} : { nodeName } } as KubeObject;
}

class Harness {
  readonly store = new ObjectStore();
  readonly cache = new WatchCache(this.store);
  private seq = 0;

  write(type: LogEntry['type'], object: KubeObject): void {
    const seq = ++this.seq;
    const stamped = { ...object, metadata: { ...object.metadata, resourceVersion: String(seq) } };
    this.store.apply({ seq, type, object: stamped, key: { resource: 'pods', namespace: 'default', name: object.metadata.name! }, time: seq });
  }
}

/** The filter and trigger the watch verb builds for a pods field selector, with a count of filter calls. */
function selection(fieldSelector: string) {
  const fields = parseFieldSelector(PODS, fieldSelector);
  const counter = { calls: 0 };
  const filter = (object: KubeObject) => {
    counter.calls++;
    return matchesFields(fields, PODS, object);
  };
  return { filter, trigger: watchTriggerOf('pods', fieldSelector), counter };
}

function watchFrom(cache: WatchCache, fieldSelector: string, options: Partial<WatchOptions> = {}) {
  const { filter, trigger, counter } = selection(fieldSelector);
  const events: WatchEvent[] = [];
  const handle = cache.watch({ resource: 'pods', sendInitialEvents: false, filter, trigger, ...options }, (event) => {
    events.push(event);
  });
  const summary = () => events.map((e) => (e.type === 'ERROR' ? `ERROR ${e.object.code}` : `${e.type} ${e.object.metadata.name}`));
  return { events, handle, counter, summary };
}

describe('WatchCache: spec.nodeName triggers', () => {
  it("a node's watch gets its pods' ADDED/MODIFIED/DELETED, a move's DELETED and ADDED, never other nodes' pods", () => {
    const h = new Harness();
    const a = watchFrom(h.cache, 'spec.nodeName=node-a');
    const b = watchFrom(h.cache, 'spec.nodeName=node-b');
    const all = watchFrom(h.cache, '');
    const unscheduled = watchFrom(h.cache, 'spec.nodeName=');

    h.write('ADDED', pod('p1', undefined));
    h.write('MODIFIED', pod('p1', 'node-a')); // scheduled to node-a
    h.write('MODIFIED', pod('p1', 'node-a'));
    h.write('ADDED', pod('p2', 'node-b'));
    h.write('MODIFIED', pod('p1', 'node-b')); // moves from node-a to node-b
    h.write('ADDED', pod('p3', 'node-a'));
    h.write('DELETED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p3', namespace: 'default' } }); // tombstone without spec

    assert.deepEqual(a.summary(), ['ADDED p1', 'MODIFIED p1', 'DELETED p1', 'ADDED p3', 'DELETED p3']);
    assert.deepEqual(b.summary(), ['ADDED p2', 'ADDED p1']);
    assert.deepEqual(unscheduled.summary(), ['ADDED p1', 'DELETED p1']);
    assert.deepEqual(all.summary(), ['ADDED p1', 'MODIFIED p1', 'MODIFIED p1', 'ADDED p2', 'MODIFIED p1', 'ADDED p3', 'DELETED p3']);
    // The DELETED of a move carries the pod as it was (on node-a) at the move's resourceVersion.
    const moved = a.events[2]!;
    assert.equal(moved.type, 'DELETED');
    assert.equal((moved.object as unknown as { spec: { nodeName: string } }).spec.nodeName, 'node-a');
    assert.equal(moved.object.metadata.resourceVersion, '5');
  });

  it("other nodes' changes never reach a node's filter", () => {
    const h = new Harness();
    const a = watchFrom(h.cache, 'spec.nodeName=node-a');
    const untriggered = watchFrom(h.cache, 'spec.nodeName!=node-a');
    for (let i = 0; i < 50; i++) h.write('ADDED', pod(`p${i}`, `node-${i % 5}`));
    for (let i = 0; i < 50; i++) h.write('MODIFIED', pod(`p${i}`, `node-${i % 5}`));
    assert.equal(a.counter.calls, 0);
    assert.equal(untriggered.counter.calls, 150); // 50 creates x 1 + 50 updates x 2 (new and previous)
    assert.equal(untriggered.events.length, 100);
  });

  it('watcherCount, bookmarkAll, stop and close see triggered watchers too', async () => {
    const h = new Harness();
    const a = watchFrom(h.cache, 'spec.nodeName=node-a');
    const a2 = watchFrom(h.cache, 'spec.nodeName=node-a');
    const b = watchFrom(h.cache, 'spec.nodeName=node-b');
    const all = watchFrom(h.cache, '');
    assert.equal(h.cache.watcherCount, 4);
    h.write('ADDED', pod('p1', 'node-a'));
    h.cache.bookmarkAll();
    for (const w of [a, a2, b, all]) assert.equal(w.events.at(-1)!.type, 'BOOKMARK');
    a.handle.stop();
    await a.handle.done;
    assert.equal(h.cache.watcherCount, 3);
    h.write('MODIFIED', pod('p1', 'node-a'));
    assert.deepEqual(a.summary(), ['ADDED p1', 'BOOKMARK undefined']);
    assert.deepEqual(a2.summary(), ['ADDED p1', 'BOOKMARK undefined', 'MODIFIED p1']);
    h.cache.close();
    await Promise.all([a2.handle.done, b.handle.done, all.handle.done]);
    assert.equal(h.cache.watcherCount, 0);
  });

  it('a trigger without a filter is ignored: the watch sees every change', () => {
    const h = new Harness();
    const events: WatchEvent[] = [];
    h.cache.watch({ resource: 'pods', sendInitialEvents: false, trigger: { field: 'spec.nodeName', value: 'node-a' } }, (e) => {
      events.push(e);
    });
    h.write('ADDED', pod('p1', 'node-b'));
    assert.equal(events.length, 1);
  });

  it('replay from the ring and initial state go per watcher, trigger or not', () => {
    const h = new Harness();
    h.write('ADDED', pod('p1', 'node-a'));
    h.write('ADDED', pod('p2', 'node-b'));
    h.write('MODIFIED', pod('p2', 'node-a'));
    const replayed = watchFrom(h.cache, 'spec.nodeName=node-a', { resourceVersion: '1' });
    const initial = watchFrom(h.cache, 'spec.nodeName=node-a', { sendInitialEvents: undefined });
    h.write('MODIFIED', pod('p1', 'node-b'));
    assert.deepEqual(replayed.summary(), ['ADDED p2', 'DELETED p1']);
    assert.deepEqual(initial.summary(), ['ADDED p1', 'ADDED p2', 'DELETED p1']);
  });
});

type Command =
  | { kind: 'write'; name: string; node: string | undefined }
  | { kind: 'delete'; name: string; bareTombstone: boolean }
  | { kind: 'watch'; fieldSelector: string; fromBack: number }
  | { kind: 'stop'; index: number };

const NODES = ['node-a', 'node-b', 'node-c'];
const SELECTORS = [
  '',
  'spec.nodeName=node-a',
  'spec.nodeName==node-b',
  'spec.nodeName=',
  'spec.nodeName!=node-a',
  'spec.nodeName=node-a,metadata.name=p1',
  'metadata.name=p2,spec.nodeName=node-c',
  'metadata.name=p0',
  'spec.nodeName=node-a,spec.nodeName=node-b',
];

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), name: fc.constantFrom('p0', 'p1', 'p2', 'p3'), node: fc.option(fc.constantFrom(...NODES), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), name: fc.constantFrom('p0', 'p1', 'p2', 'p3'), bareTombstone: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('watch' as const), fieldSelector: fc.constantFrom(...SELECTORS), fromBack: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const), index: fc.nat(20) }) },
);

describe('WatchCache: the trigger index changes no watcher\'s events', () => {
  it('every watcher gets exactly the events watchEventFor gives for every change after its start', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const h = new Harness();
        const changes: StoreChange[] = [];
        h.store.onChange((change) => changes.push(change));
        const live = new Map<string, KubeObject>();
        const watches: { from: number; until?: number; fieldSelector: string; watch: ReturnType<typeof watchFrom> }[] = [];
        for (const c of commands) {
          if (c.kind === 'write') {
            h.write(live.has(c.name) ? 'MODIFIED' : 'ADDED', pod(c.name, c.node));
            live.set(c.name, pod(c.name, c.node));
          } else if (c.kind === 'delete') {
            const current = live.get(c.name);
            if (!current) continue;
            live.delete(c.name);
            h.write('DELETED', c.bareTombstone ? { apiVersion: 'v1', kind: 'Pod', metadata: current.metadata } : current);
          } else if (c.kind === 'watch') {
            // From now, or replayed from the ring a few changes back ("0" would mean the current state).
            const back = h.store.revision - c.fromBack;
            const from = back > 0 ? back : h.store.revision;
            const watch = watchFrom(h.cache, c.fieldSelector, back > 0 ? { resourceVersion: String(from) } : {});
            watches.push({ from, fieldSelector: c.fieldSelector, watch });
          } else if (watches.length > 0) {
            const w = watches[c.index % watches.length]!;
            w.watch.handle.stop();
            w.until ??= h.store.revision;
          }
        }
        for (const w of watches) {
          const fields = parseFieldSelector(PODS, w.fieldSelector);
          const filter = (o: KubeObject) => matchesFields(fields, PODS, o);
          const expected = changes
            .filter((ch) => ch.seq > w.from && (w.until === undefined || ch.seq <= w.until))
            .map((ch) => watchEventFor(ch.type, ch.object, ch.previous, ch.seq, filter))
            .filter((e) => e !== undefined);
          assert.deepEqual(w.watch.events, expected, `watch ${JSON.stringify(w.fieldSelector)} from ${w.from}`);
        }
        assert.equal(h.cache.watcherCount, watches.filter((w) => w.until === undefined).length);
      }),
      { numRuns: 300 },
    );
  });
});
