/**
 * The materialized view: applies entries in order (idempotently), indexes by resource and
 * namespace, lists sorted with the revision it is consistent at, remembers tombstones'
 * sequences, waits for revisions, notifies listeners, and agrees with the pure fold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { replay } from '../../src/store/evolve.ts';
import type { LogEntry } from '../../src/store/log-entry.ts';
import { ObjectStore, type StoreChange } from '../../src/store/object-store.ts';

function obj(resource: string, namespace: string, name: string, value = ''): KubeObject {
  return { apiVersion: 'v1', kind: resource, metadata: namespace ? { name, namespace } : { name }, data: { value } };
}

let nextSeq = 0;
function entry(type: LogEntry['type'], resource: string, namespace: string, name: string, value = '', seq = ++nextSeq): LogEntry {
  return { seq, type, key: { resource, namespace, name }, object: obj(resource, namespace, name, value), time: seq * 10 };
}

describe('ObjectStore', () => {
  it('applies creates, updates and deletes and reports each change with its previous object', () => {
    const store = new ObjectStore();
    const added = store.apply(entry('ADDED', 'pods', 'a', 'p1', 'v1', 1));
    assert.equal(added?.type, 'ADDED');
    assert.equal(added?.previous, undefined);
    assert.equal(added?.object.metadata.resourceVersion, '1');
    const modified = store.apply(entry('MODIFIED', 'pods', 'a', 'p1', 'v2', 2));
    assert.equal(modified?.previous, added?.object);
    assert.equal(store.get('pods', 'a', 'p1')?.data && (store.get('pods', 'a', 'p1')!.data as { value: string }).value, 'v2');
    const deleted = store.apply(entry('DELETED', 'pods', 'a', 'p1', 'v2', 5));
    assert.equal(deleted?.type, 'DELETED');
    assert.equal(deleted?.object.metadata.resourceVersion, '5', 'the tombstone carries the delete revision');
    assert.equal(deleted?.previous, modified?.object);
    assert.equal(store.get('pods', 'a', 'p1'), undefined);
    assert.equal(store.revision, 5);
    assert.equal(store.revisionTime, 50);
    assert.equal(store.size, 0);
  });

  it('ignores an entry at or below its revision, and refuses nonsense sequences', () => {
    const store = new ObjectStore();
    store.apply(entry('ADDED', 'pods', 'a', 'p1', 'v1', 3));
    assert.equal(store.apply(entry('MODIFIED', 'pods', 'a', 'p1', 'other', 3)), undefined);
    assert.equal(store.apply(entry('DELETED', 'pods', 'a', 'p1', '', 2)), undefined);
    assert.equal((store.get('pods', 'a', 'p1')!.data as { value: string }).value, 'v1');
    assert.throws(() => store.apply(entry('ADDED', 'pods', 'a', 'x', '', 0)));
    assert.throws(() => store.apply(entry('ADDED', 'pods', 'a', 'x', '', 1.5)));
  });

  it('subjectSeq includes tombstones until they are pruned', () => {
    const store = new ObjectStore();
    const key = { resource: 'configmaps', namespace: 'ns', name: 'c' };
    assert.equal(store.subjectSeq(key), 0);
    store.apply(entry('ADDED', 'configmaps', 'ns', 'c', '', 1));
    store.apply(entry('DELETED', 'configmaps', 'ns', 'c', '', 2));
    store.apply(entry('ADDED', 'configmaps', 'ns', 'other', '', 3));
    assert.equal(store.subjectSeq(key), 2);
    assert.equal(store.pruneTombstones(2), 0, 'a tombstone at the purge point stays');
    assert.equal(store.pruneTombstones(3), 1);
    assert.equal(store.subjectSeq(key), 0);
    assert.equal(store.subjectSeq({ ...key, name: 'other' }), 3);
  });

  it('lists sorted by namespace and name, per namespace without the others, with its revision', () => {
    const store = new ObjectStore();
    let seq = 0;
    for (const [ns, name] of [['b', 'z'], ['a', 'y'], ['b', 'a'], ['a', 'b'], ['c', 'm']] as const) {
      store.apply(entry('ADDED', 'pods', ns, name, '', ++seq));
    }
    store.apply(entry('ADDED', 'services', 'a', 'svc', '', ++seq));
    store.apply(entry('DELETED', 'pods', 'c', 'm', '', ++seq));
    const all = store.list('pods');
    assert.deepEqual(all.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['a/b', 'a/y', 'b/a', 'b/z']);
    assert.equal(all.revision, seq);
    assert.deepEqual(store.list('pods', 'b').items.map((o) => o.metadata.name), ['a', 'z']);
    assert.deepEqual(store.list('pods', 'c').items, []);
    assert.deepEqual(store.list('nothing').items, []);
    store.apply(entry('ADDED', 'pods', 'a', 'c', '', ++seq));
    assert.deepEqual(store.list('pods', 'a').items.map((o) => o.metadata.name), ['b', 'c', 'y'], 'a new name invalidates the sorted index');
    assert.equal(store.count('pods'), 5);
    assert.equal(store.count('pods', 'a'), 3);
    assert.deepEqual(store.counts(), { pods: 5, services: 1 });
    assert.deepEqual(store.resources(), ['pods', 'services']);
    assert.deepEqual(store.namespaces('pods'), ['a', 'b']);
    assert.equal(store.size, 6);
  });

  it('holds each object once: get and list return the same instance', () => {
    const store = new ObjectStore();
    store.apply(entry('ADDED', 'pods', 'a', 'p', '', 1));
    assert.equal(store.list('pods').items[0], store.get('pods', 'a', 'p'));
    assert.equal(store.list('pods', 'a').items[0], store.get('pods', 'a', 'p'));
  });

  it('waitForRevision resolves at the revision and times out with a 504 StatusError', async () => {
    const store = new ObjectStore();
    await store.waitForRevision(0, 10);
    const order: number[] = [];
    const w3 = store.waitForRevision(3, 5_000).then(() => order.push(3));
    const w2 = store.waitForRevision(2, 5_000).then(() => order.push(2));
    store.apply(entry('ADDED', 'pods', 'a', 'p', '', 2));
    await w2;
    assert.deepEqual(order, [2]);
    store.apply(entry('ADDED', 'pods', 'a', 'q', '', 4));
    await w3;
    assert.deepEqual(order, [2, 3]);
    await assert.rejects(store.waitForRevision(10, 20), (error: unknown) => error instanceof StatusError && error.code === 504);
  });

  it('notifies listeners in order; a throwing listener neither stops the others nor the state change', () => {
    const store = new ObjectStore();
    const seen: StoreChange[] = [];
    const off = store.onChange(() => {
      throw new Error('listener bug');
    });
    store.onChange((c) => seen.push(c));
    assert.throws(() => store.apply(entry('ADDED', 'pods', 'a', 'p', '', 1)), /listener bug/);
    assert.equal(seen.length, 1);
    assert.equal(store.revision, 1);
    off();
    store.apply(entry('MODIFIED', 'pods', 'a', 'p', 'x', 2));
    assert.deepEqual(seen.map((c) => [c.type, c.seq]), [['ADDED', 1], ['MODIFIED', 2]]);
  });

  it('agrees with the pure fold for any sequence of entries', () => {
    const op = fc.record({
      type: fc.constantFrom('ADDED' as const, 'MODIFIED' as const, 'DELETED' as const),
      resource: fc.constantFrom('pods', 'nodes'),
      namespace: fc.constantFrom('', 'a', 'b'),
      name: fc.constantFrom('x', 'y', 'z'),
      value: fc.string({ maxLength: 2 }),
      gap: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let seq = 0;
        const entries = ops.map((o) => entry(o.type, o.resource, o.namespace, o.name, o.value, (seq += o.gap)));
        const store = new ObjectStore();
        for (const e of entries) store.apply(e);
        const expected = replay(entries);
        const actual = store.toState();
        assert.equal(actual.revision, expected.revision);
        assert.deepEqual(actual.objects, expected.objects);
        assert.deepEqual(actual.subjectSeq, expected.subjectSeq);
        assert.equal(store.size, expected.objects.size);
      }),
      { numRuns: 300 },
    );
  });
});
