/**
 * The replayed state as kubectl would show it (kinds, namespaces, names, selectors, the
 * kind prefix of a multi-kind listing, ages at the replayed moment), the read-only
 * pipeline (reads pass, every write is a 405 naming the revision), and the progress bar
 * (silent unless on a terminal or asked for).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { historyReader, replayPipeline } from '../../src/apiserver/read-only.ts';
import type { ApiRequest } from '../../src/apiserver/request.ts';
import { componentLogger } from '../../src/log.ts';
import { progress } from '../../src/present/progress.ts';
import { printSelection, selectObjects } from '../../src/replay/select.ts';
import { foldTo } from '../../src/replay/timeline.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { WatchCache } from '../../src/store/watch-cache.ts';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const created = '2026-11-25T10:00:00Z';

const objects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'ns', creationTimestamp: created } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default', uid: 'a', labels: { app: 'web' }, creationTimestamp: created }, data: { x: '1' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'shop', uid: 'b', labels: { app: 'shop' }, creationTimestamp: created }, data: {} },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'p', creationTimestamp: created }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Running' } },
];
const key = (o: KubeObject) => ({ resource: o.kind === 'Namespace' ? 'namespaces' : o.kind === 'Pod' ? 'pods' : 'configmaps', namespace: o.metadata.namespace ?? '', name: o.metadata.name! });
const entries: LogEntry[] = objects.map((object, i) => ({ seq: i + 1, time: T0 + i * 60_000, type: 'ADDED', key: key(object), object }));

describe('selecting and printing a replayed state', () => {
  it('filters by kind, namespace, name and label, as jetkube get does', async () => {
    const { store } = await foldTo(entries, undefined);
    const names = (kinds: ReturnType<typeof selectObjects>) => kinds.flatMap((k) => k.objects.map((o) => `${k.rt.key}/${o.metadata.name}`));
    assert.deepEqual(names(selectObjects(store, { resources: [], names: [], allNamespaces: false })), ['configmaps/a', 'configmaps/b', 'namespaces/shop', 'pods/p']);
    assert.deepEqual(names(selectObjects(store, { resources: ['cm'], names: [], allNamespaces: false })), ['configmaps/a'], 'a kind without -n: default');
    assert.deepEqual(names(selectObjects(store, { resources: ['cm'], names: [], namespace: 'shop', allNamespaces: false })), ['configmaps/b']);
    assert.deepEqual(names(selectObjects(store, { resources: ['cm,po'], names: [], allNamespaces: true, labelSelector: 'app' })), ['configmaps/a', 'configmaps/b']);
    const missing = selectObjects(store, { resources: ['cm'], names: ['a', 'zz'], allNamespaces: false });
    assert.deepEqual([names(missing), missing[0]!.missing], [['configmaps/a'], ['zz']]);
  });

  it('prints tables with ages at the replayed moment and kind prefixes for several kinds', async () => {
    const { store, time } = await foldTo(entries, { revision: 4 });
    const kinds = selectObjects(store, { resources: ['cm,pods'], names: [], allNamespaces: true });
    const out = printSelection(kinds, 'table', { allNamespaces: true, now: new Date(time) });
    assert.match(out, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    assert.match(out, /^default\s+configmap\/a\s+1\s+3m$/m, 'age 3 minutes at revision 4, not now');
    assert.match(out, /^default\s+pod\/p\s+0\/1\s+Running/m);
    const yaml = printSelection(selectObjects(store, { resources: ['cm'], names: ['a'], allNamespaces: false }), 'yaml', { allNamespaces: false, now: new Date(time), single: true });
    assert.match(yaml, /^kind: ConfigMap$/m, 'one object by name: the object itself');
    const listed = printSelection(selectObjects(store, { resources: ['cm'], names: [], allNamespaces: false }), 'yaml', { allNamespaces: false, now: new Date(time) });
    assert.match(listed, /^kind: List$/m, 'a listing of one: a List, as kubectl prints it');
    const json = JSON.parse(printSelection(kinds, 'json', { allNamespaces: true, now: new Date(time) })) as { kind: string; items: unknown[] };
    assert.deepEqual([json.kind, json.items.length], ['List', 3]);
  });
});

describe('the read-only pipeline', () => {
  it('answers reads from the replayed state and refuses every write with 405', async () => {
    const { store } = await foldTo(entries, { revision: 3 });
    const pipeline = replayPipeline({ store, watchCache: new WatchCache(store), entries: entries.slice(0, 3) }, componentLogger('test'));
    const got = await pipeline.handle({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'a' });
    assert.ok(got.ok && (got.body as KubeObject).metadata.resourceVersion === '2');
    const listed = await pipeline.handle({ verb: 'list', resource: 'pods', namespace: 'default' });
    assert.ok(listed.ok && 'items' in listed.body && (listed.body.items as unknown[]).length === 0, 'the pod came after revision 3');
    const writes: ApiRequest[] = [
      { verb: 'create', resource: 'configmaps', namespace: 'default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' } } },
      { verb: 'update', resource: 'configmaps', namespace: 'default', name: 'a', body: objects[1] },
      { verb: 'patch', resource: 'configmaps', namespace: 'default', name: 'a', body: { data: { x: '2' } }, patchType: 'merge' },
      { verb: 'delete', resource: 'configmaps', namespace: 'default', name: 'a' },
      { verb: 'deletecollection', resource: 'configmaps', namespace: 'default' },
      { verb: 'create', resource: 'pods', subresource: 'eviction', namespace: 'default', name: 'p', body: {} },
    ];
    for (const request of writes) {
      const reply = await pipeline.handle(request);
      assert.ok(!reply.ok, request.verb);
      assert.equal(reply.status.code, 405);
      assert.equal(reply.status.reason, 'MethodNotAllowed');
      assert.equal(reply.status.message, 'this is a replay of revision 3: read-only');
    }
    assert.equal((store.get('configmaps', 'default', 'a')!.data as Record<string, string>)['x'], '1');
  });

  it('a watch from an old revision gets the recorded changes up to it, then nothing', async () => {
    const { store } = await foldTo(entries, { revision: 3 });
    const kept = entries.slice(0, 3);
    const watchCache = new WatchCache(store, {
      readHistory: historyReader(kept),
      bounds: async () => ({ firstSeq: 1, lastSeq: 3 }),
    });
    const pipeline = replayPipeline({ store, watchCache, entries: kept }, componentLogger('test'));
    const events: string[] = [];
    let two: () => void;
    const gotTwo = new Promise<void>((resolve) => (two = resolve));
    const session = await pipeline.watch(
      { verb: 'watch', resource: 'configmaps', options: { resourceVersion: '1' } },
      (e) => {
        events.push(`${e.type} ${(e.object as KubeObject).metadata.name} ${(e.object as KubeObject).metadata.resourceVersion}`);
        if (events.length === 2) two();
      },
      () => {},
    );
    await gotTwo; // from the kept entries: the watch cache itself starts at revision 3
    await new Promise((r) => setTimeout(r, 50)); // and nothing after
    session.stop();
    assert.deepEqual(events, ['ADDED a 2', 'ADDED b 3']);
  });
});

describe('progress', () => {
  const fakeStream = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
  };

  it('is silent off a terminal unless forced', () => {
    let t = 0;
    const quiet = fakeStream(false);
    const bar = progress('replaying', 100, { stream: quiet.stream, now: () => t });
    t = 10_000;
    bar.update(50);
    bar.finish(100);
    assert.deepEqual(quiet.writes, []);
    const forced = fakeStream(false);
    t = 0;
    const shown = progress('replaying', 100, { stream: forced.stream, force: true, now: () => t });
    t = 6_000;
    shown.update(50);
    t = 10_000;
    shown.finish(100);
    assert.match(forced.writes[0]!, /^replaying \[#{15}\.{15}\] 50% 50\/100 events \(8\/s\)\n$/);
    assert.match(forced.writes[1]!, /^replaying: 100 events in 10\.0 s \(10\/s\)\n$/);
  });

  it('draws in place on a terminal, with a fraction given in another unit', () => {
    let t = 0;
    const tty = fakeStream(true);
    const bar = progress('replaying f.log', undefined, { stream: tty.stream, now: () => t });
    t = 2_000;
    bar.update(1_000, 0.25);
    assert.match(tty.writes[0]!, /^\rreplaying f\.log \[#{8}\.{22}\] 25% 1,000 events \(500\/s\)/);
  });
});
