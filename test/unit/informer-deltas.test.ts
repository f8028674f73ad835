/**
 * The relist diff (client-go's Replace) and the watch-event delta: adds for new keys,
 * updates for changed revisions (or a new uid under the same name), nothing for
 * unchanged objects, and DeletedFinalStateUnknown with the last known state for keys the
 * list no longer has.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { eventDelta, isDeletedFinalStateUnknown, replaceDeltas, type Delta } from '../../src/informer/deltas.ts';
import { deletedObject } from '../../src/informer/event-handlers.ts';
import { Indexer, objectKey } from '../../src/informer/indexer.ts';

function cm(name: string, rv: string, uid = `uid-${name}`): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, resourceVersion: rv, uid } };
}

const cache = (...objects: KubeObject[]) => new Map(objects.map((o) => [objectKey(o), o]));

describe('replaceDeltas', () => {
  it('adds new keys, updates changed ones, skips unchanged ones, deletes missing ones with their last state', () => {
    const deltas = replaceDeltas(cache(cm('same', '1'), cm('changed', '2'), cm('gone', '3'), cm('recreated', '4', 'old-uid')), [
      cm('same', '1'),
      cm('changed', '7'),
      cm('new', '8'),
      cm('recreated', '4', 'new-uid'),
    ]);
    const byKey = new Map(deltas.map((d) => [d.key, d]));
    assert.equal(deltas.length, 4);
    assert.equal(byKey.has('ns/same'), false);
    assert.equal(byKey.get('ns/new')?.type, 'added');
    const changed = byKey.get('ns/changed') as Extract<Delta, { type: 'updated' }>;
    assert.equal(changed.type, 'updated');
    assert.equal(changed.old.metadata.resourceVersion, '2');
    assert.equal(changed.object.metadata.resourceVersion, '7');
    assert.equal(byKey.get('ns/recreated')?.type, 'updated');
    const gone = byKey.get('ns/gone') as Extract<Delta, { type: 'deleted' }>;
    assert.equal(gone.type, 'deleted');
    assert.ok(isDeletedFinalStateUnknown(gone.object));
    assert.equal(gone.object.key, 'ns/gone');
    assert.equal(deletedObject(gone.object).metadata.resourceVersion, '3');
  });

  it('the first list is all adds; an empty list deletes everything', () => {
    assert.deepEqual(replaceDeltas(new Map(), [cm('a', '1')]).map((d) => d.type), ['added']);
    assert.deepEqual(replaceDeltas(cache(cm('a', '1'), cm('b', '2')), []).map((d) => d.type), ['deleted', 'deleted']);
  });

  it('applied to the cache, the deltas make it equal to the list (property)', () => {
    const objects = fc.uniqueArray(fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), rv: fc.constantFrom('1', '2', '3') }), {
      selector: (o) => o.name,
    });
    fc.assert(
      fc.property(objects, objects, (before, listed) => {
        const idx = new Indexer();
        for (const o of before) idx.upsert(cm(o.name, o.rv));
        const list = listed.map((o) => cm(o.name, o.rv));
        for (const d of replaceDeltas(idx.snapshot(), list)) {
          if (d.type === 'deleted') idx.delete(d.key);
          else idx.upsert(d.object);
        }
        const got = idx.list().map((o) => `${objectKey(o)}@${o.metadata.resourceVersion}`).sort();
        const want = list.map((o) => `${objectKey(o)}@${o.metadata.resourceVersion}`).sort();
        assert.deepEqual(got, want);
      }),
    );
  });
});

describe('eventDelta', () => {
  it('ADDED or MODIFIED is an add for an unknown key and an update for a known one', () => {
    const c = cache(cm('a', '1'));
    assert.equal(eventDelta(c, 'ADDED', cm('b', '2'))?.type, 'added');
    assert.equal(eventDelta(c, 'MODIFIED', cm('b', '2'))?.type, 'added');
    const u = eventDelta(c, 'MODIFIED', cm('a', '3')) as Extract<Delta, { type: 'updated' }>;
    assert.equal(u.old.metadata.resourceVersion, '1');
  });

  it('DELETED of a known key is a delete with the final object; of an unknown key, nothing', () => {
    const c = cache(cm('a', '1'));
    const d = eventDelta(c, 'DELETED', cm('a', '5'));
    assert.equal(d?.type, 'deleted');
    assert.equal(isDeletedFinalStateUnknown(d?.object), false);
    assert.equal(eventDelta(c, 'DELETED', cm('zz', '5')), undefined);
  });
});
