import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../src/api/object.ts';
import { decideDependent, decideOwner } from '../../src/controllers/garbage-collector/decide.ts';

const ref = (uid: string, block = false): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, ...(block ? { blockOwnerDeletion: true } : {}) });
const obj = (name: string, refs: OwnerReference[] = [], meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: name, resourceVersion: '7', ownerReferences: refs, ...meta },
});
const owner = (finalizers: string[]) => ({ ...obj('o'), apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'o', namespace: 'ns', uid: 'o', resourceVersion: '9', deletionTimestamp: 'T', finalizers } });

describe('decideDependent', () => {
  it('keeps an object whose owners are all present', () => {
    assert.deepEqual(decideDependent(obj('p', [ref('a')]), [{ ref: ref('a'), state: 'present' }]), []);
  });
  it('deletes (background) an object whose only owner is gone', () => {
    const [a] = decideDependent(obj('p', [ref('a')]), [{ ref: ref('a'), state: 'absent' }]);
    assert.deepEqual(a && a.type === 'deleteObject' && [a.target.name, a.propagationPolicy], ['p', 'Background']);
  });
  it('keeps an object with another owner, dropping the reference to the missing one', () => {
    const actions = decideDependent(obj('p', [ref('a'), ref('b')]), [{ ref: ref('a'), state: 'absent' }, { ref: ref('b'), state: 'present' }]);
    assert.equal(actions.length, 1);
    assert.ok(actions[0]!.type === 'removeOwnerRefs' && actions[0]!.keep.length === 1 && actions[0]!.keep[0]!.uid === 'b');
  });
  it('treats an owner of an unwatched kind as present', () => {
    assert.deepEqual(decideDependent(obj('p', [ref('a')]), [{ ref: ref('a'), state: 'unknown' }]), []);
  });
  it('deletes in the foreground a dependent that has dependents of its own when its owner waits', () => {
    const [a] = decideDependent(obj('p', [ref('a')]), [{ ref: ref('a'), state: 'deletingForeground' }], true);
    assert.ok(a?.type === 'deleteObject' && a.propagationPolicy === 'Foreground');
  });
  it('leaves an object already being deleted alone', () => {
    assert.deepEqual(decideDependent(obj('p', [ref('a')], { deletionTimestamp: 'T' }), [{ ref: ref('a'), state: 'absent' }]), []);
  });
});

describe('decideOwner', () => {
  it('ignores an owner not being deleted', () => assert.deepEqual(decideOwner(obj('o'), [obj('p', [ref('o')])]), []));
  it('orphan: removes its ownerRef from each dependent first', () => {
    const actions = decideOwner(owner(['orphan']), [obj('p', [ref('o')]), obj('q', [ref('o'), ref('x')])]);
    assert.deepEqual(actions.map((a) => a.type), ['removeOwnerRefs', 'removeOwnerRefs']);
  });
  it('orphan: removes the finalizer once no dependent names it', () => {
    const [a] = decideOwner(owner(['orphan', 'keep']), []);
    assert.ok(a?.type === 'removeFinalizer' && a.finalizer === 'orphan' && a.remaining.join() === 'keep' && a.resourceVersion === '9');
  });
  it('foreground: deletes blocking dependents first, then the others', () => {
    const actions = decideOwner(owner(['foregroundDeletion']), [obj('free', [ref('o')]), obj('block', [ref('o', true)])]);
    assert.deepEqual(actions.map((a) => a.type === 'deleteObject' && a.target.name), ['block', 'free']);
  });
  it('foreground: waits while a blocking dependent is being deleted', () => {
    assert.deepEqual(decideOwner(owner(['foregroundDeletion']), [obj('block', [ref('o', true)], { deletionTimestamp: 'T' })]), []);
  });
  it('foreground: removes the finalizer when no blocking dependent is left', () => {
    assert.deepEqual(decideOwner(owner(['foregroundDeletion']), []).map((a) => a.type), ['removeFinalizer']);
  });
});
