/**
 * The store keeps one frozen {} for the empty leaves of managedFields trees: the trees
 * read the same, nothing else in the object changes, and a leaf cannot be changed in place.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { isSharedLeaf, shareEmptyFieldLeaves } from '../../src/store/shared-leaves.ts';

const pod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    namespace: 'default',
    labels: {},
    managedFields: [
      { manager: 'a', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } } } } },
      { manager: 'b', operation: 'Update', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:phase': {} } } },
    ],
  },
  spec: { securityContext: {}, containers: [{ name: 'c', image: 'x' }] },
});

const leavesOf = (object: KubeObject): unknown[] => {
  const leaves: unknown[] = [];
  const walk = (tree: Record<string, unknown>) => {
    for (const child of Object.values(tree)) {
      if (Object.keys(child as object).length === 0) leaves.push(child);
      else walk(child as Record<string, unknown>);
    }
  };
  for (const entry of object.metadata.managedFields ?? []) walk((entry as { fieldsV1: Record<string, unknown> }).fieldsV1);
  return leaves;
};

it('shares every empty leaf of the fieldsV1 trees and changes nothing else', () => {
  const object = pod();
  const before = structuredClone(object);
  shareEmptyFieldLeaves(object);
  assert.deepEqual(object, before, 'the same value');
  const leaves = leavesOf(object);
  assert.equal(leaves.length, 5);
  assert.ok(leaves.every(isSharedLeaf));
  assert.ok(!isSharedLeaf(object.metadata.labels), 'empty objects outside managedFields are left alone');
  assert.ok(!isSharedLeaf((object.spec as { securityContext: unknown }).securityContext));
  assert.throws(() => {
    (leaves[0] as Record<string, unknown>).x = 1;
  }, TypeError);
});

it('holds objects applied from the log with shared leaves', () => {
  const store = new ObjectStore();
  store.apply({ type: 'ADDED', key: { resource: 'pods', namespace: 'default', name: 'p' }, object: pod(), seq: 1, time: 0 });
  const stored = store.get('pods', 'default', 'p')!;
  assert.ok(leavesOf(stored).every(isSharedLeaf));
  assert.equal(stored.metadata.resourceVersion, '1');
});
